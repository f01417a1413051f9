//! systemd unit and EnvironmentFile rendering.
