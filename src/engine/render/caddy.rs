//! Caddyfile rendering.
