//! Relations and columns: the typed shape of models, sources and contracts.

use mesh_syntax::SqlType;

/// One output column: a name, a mesh SQL type and whether it may be NULL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Column {
    pub name: String,
    pub ty: SqlType,
    pub nullable: bool,
}

/// The columns of a relation in order. Carries no positions, so equal shapes
/// compare equal wherever they were written (the basis of early cutoff).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Relation {
    pub columns: Vec<Column>,
}

impl Relation {
    pub fn column(&self, name: &str) -> Option<(usize, &Column)> {
        self.columns
            .iter()
            .enumerate()
            .find(|(_, c)| c.name.eq_ignore_ascii_case(name))
    }
}
