//! [`VerifiedChannel`]: what verification returns and what a host reads of it.
//!
//! A verified channel keeps the channel's header (names of the channel, template, fields,
//! enums and targets) and the compiled form evaluation runs on (compiled.rs); it does not
//! keep the decoded model, whose per-instance strings and vectors would cost more than the
//! compiled form itself. Operands as written are for reviewers, who read them with
//! [`crate::decode`] and `ward disasm`.

use crate::compiled::{Compiled, CompiledCriterion, CompiledInstance};
use crate::cost::CostBound;
use crate::counters::Counters;
use crate::index::Index;
use crate::model::{Action, BuildInfo, Channel, EnumDef, FieldType, Severity, Target, TemplateRef};
use crate::trust::KeyId;
use crate::verify::Patterns;
use alloc::string::String;
use alloc::vec::Vec;

/// A channel that passed every stage of verification for one host. Only
/// [`crate::verify`] makes one, and only it can be evaluated.
#[derive(Debug, Clone)]
pub struct VerifiedChannel {
    /// The decoded channel without its instances (see [`Channel::without_instances`]).
    pub(crate) header: Channel,
    pub(crate) supplied: u16,
    pub(crate) signers: Vec<KeyId>,
    pub(crate) compiled: Compiled,
    /// The distinct fields some criterion reads, ascending, with their types: the inputs
    /// evaluation checks before anything else.
    pub(crate) reads: Vec<(u16, FieldType)>,
    /// The channel's distinct compiled globs and regexes, which `Test::Pattern` indexes.
    pub(crate) patterns: Patterns,
    pub(crate) index: Index,
    /// The worst-case cost of one event (cost.rs).
    pub(crate) cost: CostBound,
    /// What its evaluations cost so far (counters.rs).
    pub(crate) counters: Counters,
}

/// One instance of a verified channel, as a host reports a match.
#[derive(Debug, Clone, Copy)]
pub struct InstanceInfo<'a> {
    channel: &'a VerifiedChannel,
    instance: &'a CompiledInstance,
}

impl<'a> InstanceInfo<'a> {
    pub fn id(&self) -> u32 {
        self.instance.id
    }

    pub fn name(&self) -> &'a str {
        self.channel.compiled.pool.text(self.instance.name)
    }

    pub fn severity(&self) -> Severity {
        self.instance.severity
    }

    pub fn action(&self) -> Action {
        self.instance.action
    }

    /// The tags, in the order written.
    pub fn tags(&self) -> impl Iterator<Item = &'a str> {
        self.channel.compiled.pool.tags(self.instance.tags)
    }

    /// How many criteria the instance has.
    pub fn criteria(&self) -> usize {
        self.instance.criteria.len()
    }
}

impl VerifiedChannel {
    pub fn id(&self) -> u32 {
        self.header.id
    }

    pub fn name(&self) -> &str {
        &self.header.name
    }

    /// The content version, which the store never lets go down.
    /// The most work one event can take on this channel, as a function of its longest
    /// text input; `EvalBuffer::work` never exceeds it. Verification refused the channel
    /// if this bound at the host's `Limits::max_input_bytes` was over its
    /// `Limits::max_event_cost`.
    pub fn cost_bound(&self) -> CostBound {
        self.cost
    }

    pub fn content_version(&self) -> u64 {
        self.header.content_version
    }

    /// The template as the channel declares it, with every field's name and type.
    pub fn template(&self) -> &TemplateRef {
        &self.header.template
    }

    /// The enums the template's fields refer to, by `FieldType::Enum` index.
    pub fn enums(&self) -> &[EnumDef] {
        &self.header.enums
    }

    /// The sensors the channel was built for.
    pub fn targets(&self) -> &[Target] {
        &self.header.targets
    }

    pub fn build_info(&self) -> &BuildInfo {
        &self.header.build
    }

    /// How many inputs the host supplies for this channel's template.
    pub fn supplied(&self) -> u16 {
        self.supplied
    }

    /// The distinct trusted keys whose signatures verified, in file order.
    pub fn signers(&self) -> &[KeyId] {
        &self.signers
    }

    /// The instances in ascending id order.
    pub fn instances(&self) -> impl ExactSizeIterator<Item = InstanceInfo<'_>> {
        self.compiled
            .instances
            .iter()
            .map(move |instance| InstanceInfo {
                channel: self,
                instance,
            })
    }

    /// The instance with id `id`, as a [`crate::Match`] names it.
    pub fn instance(&self, id: u32) -> Option<InstanceInfo<'_>> {
        let instances = &self.compiled.instances;
        let at = instances.binary_search_by_key(&id, |i| i.id).ok()?;
        instances.get(at).map(|instance| InstanceInfo {
            channel: self,
            instance,
        })
    }

    /// Whether this channel was verified from `channel`: the same header, and the same
    /// ids, names, severities, actions, tags and criterion counts in the same order.
    /// Criteria are compiled (folded, interned, sorted) and are not compared.
    pub fn describes(&self, channel: &Channel) -> bool {
        let h = &self.header;
        h.id == channel.id
            && h.name == channel.name
            && h.content_version == channel.content_version
            && h.template == channel.template
            && h.enums == channel.enums
            && h.targets == channel.targets
            && h.build == channel.build
            && self.instances().len() == channel.instances.len()
            && self
                .instances()
                .zip(&channel.instances)
                .all(|(ours, theirs)| {
                    ours.id() == theirs.id
                        && ours.name() == theirs.name
                        && ours.severity() == theirs.severity
                        && ours.action() == theirs.action
                        && ours.tags().eq(theirs.tags.iter().map(String::as_str))
                        && ours.criteria() == theirs.criteria.len()
                })
    }
}

/// The distinct `(field, type)` pairs `criteria` read, ascending: what
/// [`VerifiedChannel::reads`] holds for the channel's life, so at its length, not at the
/// capacity of every criterion it was collected from.
pub(crate) fn distinct_reads(criteria: &[CompiledCriterion]) -> Vec<(u16, FieldType)> {
    let mut reads: Vec<(u16, FieldType)> = criteria.iter().map(|c| (c.field, c.ty)).collect();
    reads.sort_unstable();
    reads.dedup();
    reads.shrink_to_fit();
    reads
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiled::{Scalar, Test};

    #[test]
    fn what_is_collected_per_criterion_is_held_per_distinct_field() {
        // Two hundred instances reading the same two fields: what is kept of them must
        // not grow with the instances (it once kept the capacity of every criterion).
        let criterion = |field, ty| CompiledCriterion {
            field,
            ty,
            fold: false,
            test: Test::Equal {
                value: Scalar::Uint(1),
                negate: false,
            },
        };
        let criteria: Vec<CompiledCriterion> = (0..200)
            .flat_map(|_| [criterion(4, FieldType::U32), criterion(2, FieldType::Path)])
            .collect();
        let reads = distinct_reads(&criteria);
        assert_eq!(reads, [(2, FieldType::Path), (4, FieldType::U32)]);
        assert_eq!(reads.capacity(), reads.len());
    }
}
