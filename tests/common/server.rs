//! A `boomtown serve` started for a test on a free port of 127.0.0.1, and
//! stopped when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running server.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub url: String,
}

impl Server {
    /// Starts the built binary with `boomtown serve --no-open` and these options.
    pub fn start(options: &[&str]) -> Server {
        let mut child = Command::new(super::bin())
            .args(["serve", "--no-open"])
            .args(options)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("its output"))
            .read_line(&mut first)
            .expect("it prints its address");
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("an address in {first:?}"))
            .trim_end_matches('/')
            .to_string();
        Server { child, url }
    }

    /// The address of a path on the server.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// `host:port`, for a raw connection.
    pub fn host(&self) -> &str {
        self.url.trim_start_matches("http://")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
