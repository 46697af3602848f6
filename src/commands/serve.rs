//! `arshif serve`: check the archive opens read-only (exit 3 if not), then serve it.

use super::{Exit, Shutdown};
use crate::cli::ServeArgs;
use crate::serve::{self, ServeConfig};
use crate::store::Store;

pub async fn run(args: ServeArgs, shutdown: &Shutdown) -> anyhow::Result<Exit> {
    let db = args.archive.db.clone();
    drop(crate::store::blocking(|| Store::open_reader(&db))?);
    let config = ServeConfig {
        db: db.clone(),
        bind: args.bind,
        names: args.name,
    };
    serve::serve(config, shutdown.token.clone(), |addr| {
        println!("Serving {db} at http://{addr}/ (Ctrl-C to stop)");
    })
    .await?;
    Ok(shutdown.exit())
}
