//! Evaluation of classifiers: metrics from predictions.

pub mod metrics;
