//! Assessments and the one scoring engine of asyncmm.
//!
//! Everything here is a pure function of a model and answers: the CLI, the
//! web server and the reports all call the same code, so a result can't
//! differ by where it is shown. No I/O happens in this crate.
#![forbid(unsafe_code)]

pub mod account;
pub mod aggregate;
pub mod anonymity;
pub mod answers;
pub mod assessment;
pub mod history;
pub mod org;
pub mod plan;
pub mod scoring;

pub use aggregate::{
    AggregateError, AreaAggregate, GroupResult, KeptError, KeptResult, KeptSummary, Responses, Spread,
    StatementAggregate, Summary, aggregate, quantile,
};
pub use anonymity::{
    AreaRollup, GroupInput, GroupView, HiddenReason, LeftOut, Node, NodeRollup, RolledUp, Rollup, RollupError,
    RollupRule, Shown, rollup, show_round, show_round_brief,
};
pub use answers::{Agreement, Answer, AnswerError, Answers, DetailedAnswers, Mode, QuickAnswers, TeamName};
pub use assessment::{AssessmentId, ModelRef, NewAssessment, StoredAssessment};
pub use org::{Intake, K, NewRound, Round, RoundId, RoundState, Team, TeamId, Token, TokenHash};
pub use scoring::{AreaResult, AreaScore, AssessmentResult, Distance, Gap, LevelFit, Overall, Polarity, Score, assess};
