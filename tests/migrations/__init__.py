"""Schema migrations: drift against the tables module, adoption, upgrades from releases."""
