//! Docker Compose YAML rendering (`$` written `$$`).
