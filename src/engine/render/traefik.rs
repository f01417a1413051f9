//! Traefik configuration rendering.
