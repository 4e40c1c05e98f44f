//! The mesh DAG: every model and source, the edges between them, a
//! topological order and the dependency cycles.

use std::collections::{BTreeMap, BTreeSet};

use crate::db::{Db, DomainId, ModelId};
use crate::index::{domain_scope, member_domains};
use crate::lower::RelationTarget;
use crate::references::model_references;

/// A node of the mesh graph: `domain.name`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub domain: String,
    pub name: String,
    pub is_source: bool,
}

impl NodeId {
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.domain, self.name)
    }

    fn of(target: &RelationTarget) -> NodeId {
        match target {
            RelationTarget::Model { domain, name } => NodeId {
                domain: domain.clone(),
                name: name.clone(),
                is_source: false,
            },
            RelationTarget::Source { domain, name } => NodeId {
                domain: domain.clone(),
                name: name.clone(),
                is_source: true,
            },
        }
    }
}

/// The whole mesh as a graph.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MeshGraph {
    /// Node -> the nodes it reads.
    pub upstream: BTreeMap<NodeId, BTreeSet<NodeId>>,
    /// Node -> the nodes that read it.
    pub downstream: BTreeMap<NodeId, BTreeSet<NodeId>>,
    /// Every node in an order where each comes after what it reads (cycles excluded).
    pub order: Vec<NodeId>,
    /// Each cycle as the list of models around it.
    pub cycles: Vec<Vec<NodeId>>,
}

impl MeshGraph {
    /// Nodes that read `node`, directly.
    pub fn downstream_of(&self, node: &NodeId) -> impl Iterator<Item = &NodeId> {
        self.downstream.get(node).into_iter().flatten()
    }
}

/// Builds the graph. Reads only each model's position-free dependency list,
/// so editing a model without changing what it reads does not rebuild it.
#[salsa::tracked(returns(ref))]
pub fn mesh_graph(db: &dyn Db) -> MeshGraph {
    let mut upstream: BTreeMap<NodeId, BTreeSet<NodeId>> = BTreeMap::new();
    for domain_name in member_domains(db) {
        let domain = DomainId::new(db, domain_name.clone());
        let scope = domain_scope(db, domain);
        for source in scope.sources.values() {
            upstream
                .entry(NodeId {
                    domain: domain_name.clone(),
                    name: source.decl.name.value.clone(),
                    is_source: true,
                })
                .or_default();
        }
        for (model_name, _) in scope.models.values() {
            let node = NodeId {
                domain: domain_name.clone(),
                name: model_name.clone(),
                is_source: false,
            };
            let model = ModelId::new(db, domain, model_name.clone());
            let deps: BTreeSet<NodeId> =
                model_references(db, model).iter().map(NodeId::of).collect();
            upstream.entry(node).or_default().extend(deps);
        }
    }
    let (order, cycles) = order_and_cycles(&upstream);
    let mut downstream: BTreeMap<NodeId, BTreeSet<NodeId>> = BTreeMap::new();
    for (node, ups) in &upstream {
        for up in ups {
            downstream
                .entry(up.clone())
                .or_default()
                .insert(node.clone());
        }
    }
    MeshGraph {
        upstream,
        downstream,
        order,
        cycles,
    }
}

/// The models of one domain that read each other in a cycle (only models of
/// one domain can: other domains are read through contracts).
#[salsa::tracked(returns(ref))]
pub fn domain_cycles<'db>(db: &'db dyn Db, domain: DomainId<'db>) -> Vec<BTreeSet<String>> {
    let name = domain.name(db).clone();
    let mut upstream: BTreeMap<NodeId, BTreeSet<NodeId>> = BTreeMap::new();
    for (model_name, _) in domain_scope(db, domain).models.values() {
        let model = ModelId::new(db, domain, model_name.clone());
        let deps = model_references(db, model)
            .iter()
            .filter(|t| matches!(t, RelationTarget::Model { domain, .. } if *domain == name))
            .map(NodeId::of)
            .collect();
        upstream.insert(
            NodeId::of(&RelationTarget::Model {
                domain: name.clone(),
                name: model_name.clone(),
            }),
            deps,
        );
    }
    order_and_cycles(&upstream)
        .1
        .into_iter()
        .map(|cycle| cycle.into_iter().map(|n| n.name).collect())
        .collect()
}

/// Within one domain: model (lower-cased) -> the models of the domain that
/// read it directly. Depends only on that domain's models, so an edit path
/// that follows it costs the size of the domain, not of the mesh.
#[salsa::tracked(returns(ref))]
pub fn domain_readers<'db>(
    db: &'db dyn Db,
    domain: DomainId<'db>,
) -> BTreeMap<String, BTreeSet<String>> {
    let name = domain.name(db).clone();
    let mut readers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (model_name, _) in domain_scope(db, domain).models.values() {
        let model = ModelId::new(db, domain, model_name.clone());
        for target in model_references(db, model).iter() {
            if let RelationTarget::Model {
                domain: d,
                name: read,
            } = target
                && *d == name
            {
                readers
                    .entry(read.to_ascii_lowercase())
                    .or_default()
                    .insert(model_name.clone());
            }
        }
    }
    readers
}

/// Whether `a` and `b` (same domain) read each other through a cycle; also
/// true for a model that reads itself.
pub(crate) fn in_same_cycle(db: &dyn Db, a: ModelId<'_>, b: ModelId<'_>) -> bool {
    let domain = a.domain(db);
    if b.domain(db) != domain {
        return false;
    }
    domain_cycles(db, domain)
        .iter()
        .any(|cycle| cycle.contains(a.name(db)) && cycle.contains(b.name(db)))
}

/// Kahn's algorithm for the order, level by level (each level sorted), in
/// O(nodes + edges); what remains holds the cycles, found by walking upstream
/// edges among the remaining nodes.
fn order_and_cycles(
    upstream: &BTreeMap<NodeId, BTreeSet<NodeId>>,
) -> (Vec<NodeId>, Vec<Vec<NodeId>>) {
    let nodes: Vec<&NodeId> = upstream.keys().collect();
    let index: std::collections::HashMap<&NodeId, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut waiting = vec![0usize; nodes.len()];
    let mut downstream: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        for up in &upstream[*node] {
            if let Some(&u) = index.get(up) {
                waiting[i] += 1;
                downstream[u].push(i);
            }
        }
    }
    let mut order = Vec::with_capacity(nodes.len());
    let mut done = vec![false; nodes.len()];
    // `nodes` is sorted, so each level comes out sorted.
    let mut level: Vec<usize> = (0..nodes.len()).filter(|&i| waiting[i] == 0).collect();
    while !level.is_empty() {
        let mut next = Vec::new();
        for &i in &level {
            done[i] = true;
            order.push(nodes[i].clone());
            for &d in &downstream[i] {
                waiting[d] -= 1;
                if waiting[d] == 0 {
                    next.push(d);
                }
            }
        }
        next.sort_unstable();
        level = next;
    }
    let mut cycles = Vec::new();
    let mut covered: BTreeSet<&NodeId> = BTreeSet::new();
    let stuck: BTreeSet<&NodeId> = (0..nodes.len())
        .filter(|&i| !done[i])
        .map(|i| nodes[i])
        .collect();
    for &start in &stuck {
        if covered.contains(start) {
            continue;
        }
        // Follow upstream edges inside the stuck set until a node repeats.
        let mut path: Vec<&NodeId> = vec![start];
        let mut on_path: BTreeSet<&NodeId> = BTreeSet::from([start]);
        let mut current = start;
        while let Some(next) = upstream[current].iter().find(|u| stuck.contains(u)) {
            if on_path.contains(next) {
                let position = path.iter().position(|p| *p == next).unwrap_or(0);
                let cycle: Vec<&NodeId> = path[position..].to_vec();
                if !cycle.iter().any(|n| covered.contains(n)) {
                    covered.extend(cycle.iter().copied());
                    // Present in reading order: a reads b reads ... reads a.
                    cycles.push(cycle.into_iter().cloned().collect());
                }
                break;
            }
            if covered.contains(next) {
                break;
            }
            path.push(next);
            on_path.insert(next);
            current = next;
        }
    }
    (order, cycles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str) -> NodeId {
        NodeId {
            domain: "d".into(),
            name: name.into(),
            is_source: false,
        }
    }

    #[test]
    fn orders_and_finds_cycles() {
        let mut upstream = BTreeMap::new();
        upstream.insert(node("a"), BTreeSet::new());
        upstream.insert(node("b"), BTreeSet::from([node("a")]));
        upstream.insert(node("c"), BTreeSet::from([node("d")]));
        upstream.insert(node("d"), BTreeSet::from([node("c"), node("b")]));
        upstream.insert(node("e"), BTreeSet::from([node("e")]));
        let (order, cycles) = order_and_cycles(&upstream);
        assert_eq!(order, vec![node("a"), node("b")]);
        assert_eq!(cycles, vec![vec![node("c"), node("d")], vec![node("e")]]);
    }
}
