//! `boomtown serve`: the live classroom. A web server on the loopback interface
//! serves a page (built into the binary: it works with no network) on which a
//! class picks a scenario or a lesson, moves its levers and sees the city re-run.
//!
//! What runs where (see `docs/serve.md`): the page sends the scenario's name and
//! the levers it moved; the server turns them into the `--set` options of the
//! command line ([`levers`]), loads and validates the scenario exactly as `run`
//! does, simulates the replicates on a blocking thread ([`live`]), and streams
//! progress and then the summarised result to the page as JSON lines. A page that
//! goes away (a closed tab, a cancelled run) drops the stream, which stops the
//! run at the end of the month being simulated. Downloads (CSVs, the report) are
//! the output folder of `boomtown run` for the same command ([`export`]).

mod api;
mod assets;
mod export;
pub mod levers;
pub mod live;

use std::net::{Ipv4Addr, SocketAddr};

use crate::error::Error;

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Port on 127.0.0.1; 0 for a free one.
    pub port: u16,
    /// Worker threads of each run.
    pub threads: usize,
    /// Runs simulated at the same time; more wait their turn.
    pub runs_at_once: usize,
}

/// Serves until Ctrl-C. `ready` is told the address once the server listens.
pub fn serve(opts: &ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the web server: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port))
            .await
            .map_err(|e| {
                Error::Usage(format!(
                    "cannot listen on 127.0.0.1 port {}: {e}{}",
                    opts.port,
                    if e.kind() == std::io::ErrorKind::AddrInUse {
                        " (another program uses it: choose another --port, or leave --port out for a free one)"
                    } else {
                        ""
                    }
                ))
            })?;
        let address = listener
            .local_addr()
            .map_err(|e| Error::Usage(format!("cannot read the server's address: {e}")))?;
        let (app, router) = api::router(opts);
        ready(address);
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = tokio::signal::ctrl_c().await;
                app.shut_down();
            })
            .await
            .map_err(|e| Error::Usage(format!("the web server failed: {e}")))
    })
}
