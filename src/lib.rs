//! boomtown: an agent-based, Monte Carlo model of resource cities in transition.
//!
//! The crate is layered: [`scenario`] reads and validates scenario files into
//! [`model::params::Params`]; [`model`] is the simulation core (no I/O); [`run`]
//! drives replicates; [`output`] writes the files of a run.

#![warn(missing_docs)]

pub mod date;
pub mod error;
pub mod model;
pub mod output;
pub mod run;
pub mod scenario;
