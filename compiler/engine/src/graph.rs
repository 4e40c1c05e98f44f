//! The dependency graph of a plan: nodes, edges and the problems found before
//! anything runs (duplicate ids and dependency cycles).
//!
//! Nodes are numbered in plan order, sources first. Dependencies on ids that
//! are not in the plan are dropped: they name objects built by earlier runs.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::plan::{ModelNode, SourceLoad};
use crate::results::NodeKind;
use crate::sql::RESERVED;

/// What a node does when it runs.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Job<'p> {
    Source(&'p SourceLoad),
    Model(&'p ModelNode),
}

/// One source or model with its edges, as indices into [`Graph::nodes`].
#[derive(Debug)]
pub(crate) struct Node<'p> {
    pub(crate) id: &'p str,
    pub(crate) kind: NodeKind,
    pub(crate) job: Job<'p>,
    pub(crate) dependencies: Vec<usize>,
    pub(crate) dependents: Vec<usize>,
}

impl Node<'_> {
    pub(crate) fn schema(&self) -> &str {
        match self.job {
            Job::Source(source) => &source.schema,
            Job::Model(model) => &model.schema,
        }
    }

    /// The name of the table or view the node writes.
    pub(crate) fn name(&self) -> &str {
        match self.job {
            Job::Source(source) => &source.table,
            Job::Model(model) => &model.name,
        }
    }
}

/// Refuses a node whose schema or name contains the reserved `__meshc`: the
/// engine's temporary objects carry it, and every run drops the ones it finds
/// (left by an interrupted run), so such a node could be overwritten or dropped.
fn reserved_name(node: &Node<'_>) -> Option<String> {
    let reserved = |name: &str| name.to_ascii_lowercase().contains(RESERVED);
    [node.schema(), node.name()]
        .into_iter()
        .find(|name| reserved(name))
        .map(|name| {
            format!("the name {name} is reserved: names containing {RESERVED} are meshc's temporary objects")
        })
}

/// The nodes of a plan, and the reasons some of them cannot run at all.
#[derive(Debug)]
pub(crate) struct Graph<'p> {
    pub(crate) nodes: Vec<Node<'p>>,
    /// Nodes that fail before running, with the reason.
    pub(crate) invalid: Vec<(usize, String)>,
}

impl<'p> Graph<'p> {
    pub(crate) fn new(sources: &'p [SourceLoad], models: &'p [ModelNode]) -> Graph<'p> {
        let mut nodes: Vec<Node<'p>> = Vec::new();
        for source in sources {
            nodes.push(Node::new(&source.id, NodeKind::Source, Job::Source(source)));
        }
        for model in models {
            nodes.push(Node::new(&model.id, NodeKind::Model, Job::Model(model)));
        }
        let mut invalid = Vec::new();
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        for (index, node) in nodes.iter().enumerate() {
            if by_id.contains_key(node.id) {
                invalid.push((
                    index,
                    format!("the plan has more than one node with id {}", node.id),
                ));
            } else {
                by_id.insert(node.id, index);
            }
            if let Some(reason) = reserved_name(node) {
                invalid.push((index, reason));
            }
        }
        for index in 0..nodes.len() {
            let Job::Model(model) = nodes[index].job else {
                continue;
            };
            let mut seen = HashSet::new();
            let dependencies: Vec<usize> = model
                .depends_on
                .iter()
                .filter_map(|id| by_id.get(id.as_str()).copied())
                .filter(|&dependency| seen.insert(dependency))
                .collect();
            for &dependency in &dependencies {
                nodes[dependency].dependents.push(index);
            }
            nodes[index].dependencies = dependencies;
        }
        let mut graph = Graph { nodes, invalid };
        let cycles = graph.cycles();
        graph.invalid.extend(cycles);
        graph
    }

    /// Nodes that lie on a dependency cycle, each with the cycle through it.
    fn cycles(&self) -> Vec<(usize, String)> {
        // Kahn's algorithm: whatever cannot be ordered is on a cycle or
        // downstream of one. Only the former are errors; the latter are
        // skipped when the scheduler propagates the failure.
        let mut waiting: Vec<usize> = self.nodes.iter().map(|n| n.dependencies.len()).collect();
        let mut queue: VecDeque<usize> =
            (0..self.nodes.len()).filter(|&i| waiting[i] == 0).collect();
        let mut ordered = vec![false; self.nodes.len()];
        while let Some(index) = queue.pop_front() {
            ordered[index] = true;
            for &dependent in &self.nodes[index].dependents {
                waiting[dependent] -= 1;
                if waiting[dependent] == 0 {
                    queue.push_back(dependent);
                }
            }
        }
        (0..self.nodes.len())
            .filter(|&index| !ordered[index])
            .filter_map(|index| {
                let path = self.cycle_through(index, &ordered)?;
                let names: Vec<&str> = path.iter().map(|&i| self.nodes[i].id).collect();
                Some((index, format!("dependency cycle: {}", names.join(" -> "))))
            })
            .collect()
    }

    /// The shortest path `index -> … -> index` along dependencies among the
    /// unordered nodes, if there is one.
    fn cycle_through(&self, index: usize, ordered: &[bool]) -> Option<Vec<usize>> {
        let mut previous: HashMap<usize, usize> = HashMap::new();
        let mut queue = VecDeque::from([index]);
        while let Some(current) = queue.pop_front() {
            for &next in &self.nodes[current].dependencies {
                if ordered[next] {
                    continue;
                }
                if next == index {
                    let mut path = vec![index, current];
                    let mut at = current;
                    while at != index {
                        at = *previous.get(&at)?;
                        path.push(at);
                    }
                    path.reverse();
                    return Some(path);
                }
                if let std::collections::hash_map::Entry::Vacant(entry) = previous.entry(next) {
                    entry.insert(current);
                    queue.push_back(next);
                }
            }
        }
        None
    }
}

impl<'p> Node<'p> {
    fn new(id: &'p str, kind: NodeKind, job: Job<'p>) -> Node<'p> {
        Node {
            id,
            kind,
            job,
            dependencies: Vec::new(),
            dependents: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Materialization, RunPlan};

    fn model(id: &str, depends_on: &[&str]) -> ModelNode {
        ModelNode {
            id: id.to_owned(),
            schema: "s".to_owned(),
            name: id.to_owned(),
            materialization: Materialization::View,
            sql: "select 1".to_owned(),
            depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
            checks: Vec::new(),
            incremental: None,
        }
    }

    fn plan(models: Vec<ModelNode>) -> RunPlan {
        RunPlan {
            database: "db".into(),
            threads: 1,
            schemas: vec![],
            sources: vec![],
            models,
            allow_invalid: false,
            full_refresh: false,
        }
    }

    #[test]
    fn cycles_are_reported_but_their_dependents_are_not() {
        let plan = plan(vec![
            model("a", &["c", "outside.x"]),
            model("b", &["a"]),
            model("c", &["b"]),
            model("d", &["c"]),
            model("e", &["e"]),
            model("f", &[]),
        ]);
        let graph = Graph::new(&plan.sources, &plan.models);
        assert_eq!(
            graph.invalid,
            vec![
                (0, "dependency cycle: a -> c -> b -> a".to_owned()),
                (1, "dependency cycle: b -> a -> c -> b".to_owned()),
                (2, "dependency cycle: c -> b -> a -> c".to_owned()),
                (4, "dependency cycle: e -> e".to_owned()),
            ]
        );
        assert_eq!(graph.nodes[0].dependencies, vec![2]);
    }

    #[test]
    fn duplicate_ids_are_invalid() {
        let plan = plan(vec![model("a", &[]), model("a", &[]), model("b", &["a"])]);
        let graph = Graph::new(&plan.sources, &plan.models);
        assert_eq!(
            graph.invalid,
            vec![(1, "the plan has more than one node with id a".to_owned())]
        );
        assert_eq!(graph.nodes[2].dependencies, vec![0]);
    }
}
