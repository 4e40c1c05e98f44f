-- Bronze: every row of every weekly touchpoint export, exactly as delivered,
-- with the file it came from. A week not delivered yet contributes no row.
select touch_id, campaign_id, email, event_type, touched_at, exported_at,
    'touchpoints_2024_06_08.csv' as delivery
from touchpoints_2024_06_08
union all
select touch_id, campaign_id, email, event_type, touched_at, exported_at,
    'touchpoints_2024_06_15.csv' as delivery
from touchpoints_2024_06_15
