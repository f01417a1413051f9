//! ECS task definition JSON rendering.
