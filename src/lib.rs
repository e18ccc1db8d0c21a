//! boomtown: an agent-based, Monte Carlo model of resource cities in transition.
//!
//! The crate is layered: [`scenario`] reads and validates scenario files into
//! [`model::params::Params`]; [`model`] is the simulation core (no I/O); [`batch`]
//! runs replicates in parallel; [`output`] writes the files; [`charts`] and
//! [`report`] draw on them ([`format`](mod@format) puts numbers, and
//! [`validation`] observations against the model, in words for both);
//! [`commands`] (run, compare, merge, validate, sensitivity, calibrate, serve)
//! drive batches from scenario to output folder; [`cli`] is the command line.

#![warn(missing_docs)]

pub mod batch;
pub mod calibration;
pub mod charts;
pub mod cli;
pub mod commands;
pub mod date;
pub mod error;
pub mod explain;
pub mod facts;
pub mod fault;
pub mod format;
pub mod indicators;
pub mod lessons;
pub mod model;
pub mod observations;
pub mod output;
pub mod report;
pub mod scenario;
pub mod sensitivity;
pub mod validation;
