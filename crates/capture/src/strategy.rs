//! Attach strategies: which kernel hook produces exec records.

use std::fmt;
use std::str::FromStr;

/// A kernel hook that observes each exec while the caller still has its
/// pre-exec name.
///
/// NOTE: the `lsm` and `kprobe` programs have not run on a kernel that
/// allows them: the development kernel rejects BPF LSM programs and has no
/// kprobes, so only their loading code and the verifier (kprobe) were tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// `tp_btf/sched_prepare_exec`, Linux 6.10 and later. Fires once per
    /// exec that passed the point of no return, with the final binary (the
    /// interpreter of a `#!` script); failed execs are not seen.
    SchedPrepareExec,
    /// `lsm/bprm_check_security`, Linux 5.7 and later with `bpf` in the
    /// active LSM list. Fires once per binary handler pass, like Tracee's
    /// event: a script yields a record for the script and one for its
    /// interpreter. Execs that a later check rejects are seen too.
    Lsm,
    /// `kprobe/security_bprm_check`, any kernel with kprobes (5.8 and later
    /// for the ring buffer). Same passes as the LSM hook.
    Kprobe,
    /// `tp_btf/sched_process_exec`, Linux 5.5 and later, with the pre-exec
    /// name remembered at execve entry by `raw_tp/sys_enter`. Fires after
    /// the exec, so argv is read from the new image. Costs a check on every
    /// system call, and an exec that started before the sensor reports the
    /// new name, marked `process_name_unknown`.
    SchedProcessExec,
}

impl Strategy {
    /// Strategies in the order `auto` tries them.
    pub const AUTO_ORDER: [Strategy; 4] =
        [Strategy::SchedPrepareExec, Strategy::Lsm, Strategy::Kprobe, Strategy::SchedProcessExec];

    /// Returns the name used on the command line and in logs.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::SchedPrepareExec => "sched-prepare-exec",
            Strategy::Lsm => "lsm",
            Strategy::Kprobe => "kprobe",
            Strategy::SchedProcessExec => "sched-process-exec",
        }
    }

    /// Returns the kernel requirement, for messages.
    pub fn requirement(self) -> &'static str {
        match self {
            Strategy::SchedPrepareExec => "Linux 6.10 or later (tracepoint sched_prepare_exec)",
            Strategy::Lsm => "Linux 5.7 or later booted with bpf in lsm=",
            Strategy::Kprobe => "a kernel built with CONFIG_KPROBES",
            Strategy::SchedProcessExec => "Linux 5.5 or later",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The strategy requested by the user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StrategyChoice {
    /// Try each strategy in [`Strategy::AUTO_ORDER`] until one attaches.
    #[default]
    Auto,
    /// Use this strategy or fail.
    Only(Strategy),
}

impl StrategyChoice {
    /// Returns the strategies to try, in order.
    pub fn candidates(self) -> Vec<Strategy> {
        match self {
            StrategyChoice::Auto => Strategy::AUTO_ORDER.to_vec(),
            StrategyChoice::Only(strategy) => vec![strategy],
        }
    }
}

impl FromStr for StrategyChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "auto" {
            return Ok(StrategyChoice::Auto);
        }
        Strategy::AUTO_ORDER
            .into_iter()
            .find(|s| s.name() == text)
            .map(StrategyChoice::Only)
            .ok_or_else(|| {
                format!("unknown strategy {text:?}: expected auto, sched-prepare-exec, lsm, kprobe or sched-process-exec")
            })
    }
}
