//! Evaluation of classifiers: confusion-matrix metrics, one-vs-rest ROC AUC and bootstrap
//! confidence intervals.

pub mod bootstrap;
pub mod metrics;
pub mod report;
pub mod roc;
