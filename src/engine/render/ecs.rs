//! Amazon ECS task definitions as JSON: the input of
//! `aws ecs register-task-definition --cli-input-json file://...` (AWS CLI; member names and
//! shapes from the ECS API model `RegisterTaskDefinition` / `ContainerDefinition` /
//! `KeyValuePair` / `Secret` / `PortMapping`, botocore `data/ecs/2014-11-13/service-2.json`).
//!
//! JSON escaping is serde_json's (RFC 8259: `"`, `\` and control characters escaped). ECS hands
//! `environment` values to the container unchanged (Docker `--env`; no `$` expansion), so values
//! are written exactly as they are (ECS developer guide `taskdef-envfiles.md`,
//! `task_definition_parameters.md`; shared/knowledge/platforms.md §2).
//!
//! The rendered JSON never has a line that is a bare word (every line holds a `"` or a bracket),
//! so it can sit inside a quoted here-document whose delimiter is a bare word
//! ([`HEREDOC_DELIMITER`]).

use serde::Serialize;

/// The delimiter of the quoted here-document that carries the task definition in deploy scripts.
pub const HEREDOC_DELIMITER: &str = "PROXYTRUST_TASK_DEFINITION";

/// `RegisterTaskDefinition` input (the members ProxyTrust writes).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinition {
    pub family: String,
    /// Fargate requires `awsvpc`.
    pub network_mode: &'static str,
    pub requires_compatibilities: Vec<&'static str>,
    /// CPU units as a string (`"1024"`), as the API model types it.
    pub cpu: String,
    /// MiB as a string (`"2048"`).
    pub memory: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<String>,
    pub container_definitions: Vec<ContainerDefinition>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDefinition {
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub port_mappings: Vec<PortMapping>,
    pub environment: Vec<KeyValuePair>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    pub container_port: u16,
    pub protocol: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct KeyValuePair {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    pub name: String,
    /// The SSM parameter's name (same Region) or full ARN, or a Secrets Manager secret's ARN.
    pub value_from: String,
}

/// Pretty JSON (two-space indentation) with a final newline.
pub fn json(td: &TaskDefinition) -> String {
    // Serialising plain strings, numbers and vectors cannot fail.
    let mut s = serde_json::to_string_pretty(td).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_and_escaping() {
        let td = TaskDefinition {
            family: "f".into(),
            network_mode: "awsvpc",
            requires_compatibilities: vec!["FARGATE"],
            cpu: "256".into(),
            memory: "512".into(),
            execution_role_arn: None,
            container_definitions: vec![ContainerDefinition {
                name: "c".into(),
                image: "i".into(),
                essential: true,
                port_mappings: vec![PortMapping {
                    container_port: 8080,
                    protocol: "tcp",
                }],
                environment: vec![KeyValuePair {
                    name: "A".into(),
                    value: "q\"\n$(x)".into(),
                }],
                secrets: vec![],
            }],
        };
        let s = json(&td);
        assert!(s.contains("\"networkMode\": \"awsvpc\""));
        assert!(s.contains("\"containerPort\": 8080"));
        assert!(s.contains("\"value\": \"q\\\"\\n$(x)\""));
        assert!(!s.contains("secrets"));
        assert!(!s.contains("executionRoleArn"));
        assert!(s.lines().all(|l| l.contains(['"', '{', '}', '[', ']'])));
    }
}
