//! The commands that drive batches, one module each: `run` (a batch from
//! scenario to output folder), `compare` (several scenarios side by side),
//! `merge` (the shards of a batch into one folder), `validate` (the city
//! scenarios against observed data), `sensitivity`, `calibrate`, and `serve`
//! (the live web app). They sit above the model, the batch runner
//! and the output writers, and below `main`, which parses arguments and prints.

pub mod calibrate;
pub mod compare;
pub mod design_runs;
pub mod merge;
pub mod run;
pub mod sensitivity;
pub mod serve;
pub mod validate;
