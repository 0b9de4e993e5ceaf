//! `asyncmm serve`: starts the web server over the opened store, prints
//! the one-time set-up link while no account exists, and stops gracefully
//! on SIGTERM or Ctrl-C. Logs go to stderr (`RUST_LOG` sets the level).

use std::sync::Arc;

use anyhow::Result;
use asyncmm_app::{App, OsRandom};
use asyncmm_store::Store;
use asyncmm_web::{Config, Server};
use time::OffsetDateTime;

use crate::args::ServeArgs;

pub async fn serve_command(store: Box<dyn Store>, args: &ServeArgs) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // A second initialisation (tests in one process) is harmless.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let store: Arc<dyn Store> = Arc::from(store);
    let config = Config {
        bind: args.bind,
        public_url: args.public_url.clone(),
    };
    let server = Server::bind(&config, Arc::clone(&store)).await?;
    let app = App::new(store.as_ref(), OffsetDateTime::now_utc()).await?;
    if let Some(token) = app.setup_link(&mut OsRandom).await? {
        println!(
            "No account exists yet. Open this one-time link to set up the first admin (valid 7 days):\n  {}/invite/{}",
            server.public_url(),
            token.reveal()
        );
    }
    println!("asyncmm is listening on {}", server.public_url());
    server.run(asyncmm_web::server::shutdown_signal()).await?;
    Ok(())
}
