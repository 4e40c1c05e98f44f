{#- One schema per domain, named like the domain (as meshc does), not target_schema + '_' + name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
