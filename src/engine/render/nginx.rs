//! nginx configuration: quoting of directive arguments.
