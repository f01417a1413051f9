//! AWS ECS on Fargate behind an Application Load Balancer, deployed with the AWS CLI.
//!
//! What the front end sends, and what follows (shared/knowledge/platforms.md §2, "Pitfalls"
//! 10, 11, 16, 19, 20):
//! * TLS ends at the ALB's HTTPS listener. Toward the task it adds `X-Forwarded-For`,
//!   `X-Forwarded-Proto` (the scheme the client used) and `X-Forwarded-Port` (the listener port),
//!   and **no `X-Forwarded-Host`** (docs.aws.amazon.com/elasticloadbalancing/latest/application/
//!   x-forwarded-headers.html). Apps must build URLs from `Host` + `X-Forwarded-Proto` or be told
//!   the public URL; the app modules do the latter.
//! * `Host`: by default the ALB may append the listener port (AWS's example: `www.amazon.com` →
//!   `www.amazon.com:8443`); with `routing.http.preserve_host_header.enabled=true` it is sent
//!   unchanged (AWS re:Post launch announcement "New ALB enhancements ... Host header and
//!   X-Forwarded-For header"; ELBv2 API `LoadBalancerAttribute`: "The default is false"). A
//!   CSRF/Origin check against `host:8443` fails, so the scripts switch it on.
//! * WebSockets pass natively, but the connection idle timeout (`idle_timeout.timeout_seconds`,
//!   1-4000, default 60, ELBv2 `LoadBalancerAttribute`) closes quiet sockets: raised to 3600 for
//!   apps with [`App::websockets`].
//! * Stickiness (ELBv2 `TargetGroupAttribute`: `stickiness.enabled`, `stickiness.type=lb_cookie`,
//!   `stickiness.lb_cookie.duration_seconds` 1-604800, default 86400; cookie `AWSALB`) is offered
//!   as a mitigation only: it is best effort, the fix for per-task state is shared secrets/stores.
//! * Env: `containerDefinitions[].environment` `[{"name", "value"}]` (values reach the container
//!   unchanged) and `secrets` `[{"name", "valueFrom"}]` (ECS dev guide `taskdef-envfiles.md`,
//!   `secrets-envvar-ssm-paramstore.md`, `secrets-envvar-secrets-manager.md`).
//! * Secrets live in SSM Parameter Store as `SecureString` parameters named `/SERVICE/SLUG`:
//!   their ARN `arn:aws:ssm:REGION:ACCOUNT:parameter/SERVICE/SLUG` is known before they exist
//!   (a hierarchical name's leading `/` is the ARN's separator: aws-cdk `aws-ssm/lib/util.js`
//!   `arnForParameterName`, fixes #1726/#4685), and in the task's own Region the name alone is
//!   accepted ("If the Systems Manager Parameter Store parameter exists in the same Region as the
//!   task you are launching, then you can use either the full ARN or name"). A Secrets Manager
//!   ARN ends in a random suffix (`secret_name-AbCdEf`) known only after creation, so it cannot
//!   be written into a task definition beforehand.
//! * Secret values reach `aws ssm put-parameter --value file:///dev/stdin` through a pipe from
//!   `printf` (a shell builtin), never argv. The AWS CLI reads `file://` in text mode
//!   (awscli `paramfile.py` `get_file`, mode `r`), so a carriage return in a value would become a
//!   newline; values are generated without one.
//! * The task execution role needs `ssm:GetParameters` on the parameters (and `kms:Decrypt` only
//!   for a customer managed key); secrets are read at task start only, so a new deployment
//!   (`update-service --force-new-deployment`) picks up changed values.
//! * Names (ECS API model docs in botocore): cluster, service, task family and container name:
//!   up to 255 letters, digits, `_`, `-`; target group: up to 32 letters, digits, `-`, not
//!   starting or ending with `-` (`CreateTargetGroup.Name`); IAM role names `[\w+=,.@-]{1,64}`.
//! * Fargate task sizes: the `cpu`/`memory` pairs of the `RegisterTaskDefinition.memory` doc.
//! * Load balancer DNS names end in `REGION.elb.amazonaws.com` ("The DNS name includes the name
//!   of the AWS region in which the load balancer was created ... might end with
//!   us-east-1.elb.amazonaws.com", ELB API `CreateLoadBalancer`; platforms.md §2: ALB names
//!   `NAME-ID.REGION.elb.amazonaws.com`, `internal-` first for internal ones): only the Region is
//!   read from them, nothing else in the name is documented.
//!
//! [`App::websockets`]: crate::engine::apps::App::websockets

use crate::engine::Valid;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{EnvValue, EnvVar, Plan};
use crate::engine::render::ecs::{
    self, ContainerDefinition, HEREDOC_DELIMITER, KeyValuePair, PortMapping, TaskDefinition,
};
use crate::engine::render::shell::{self, Script, Word, quote};
use crate::engine::render::{Block, Header};

use super::Platform;

pub struct EcsFargate;

const SECRET_MODES: &[(&str, &str)] = &[
    ("ssm", "SSM Parameter Store (recommended)"),
    ("inline", "Inline in the task definition"),
];
const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];
const CPUS: &[(&str, &str)] = &[
    ("256", "0.25 vCPU"),
    ("512", "0.5 vCPU"),
    ("1024", "1 vCPU"),
    ("2048", "2 vCPU"),
    ("4096", "4 vCPU"),
    ("8192", "8 vCPU"),
    ("16384", "16 vCPU"),
];

const DEFAULT_CLUSTER: &str = "default";
const DEFAULT_ROLE: &str = "ecsTaskExecutionRole";
/// Seconds; within the attribute's 1-4000 range.
const WEBSOCKET_IDLE_TIMEOUT: u32 = 3600;
/// The attribute's default (one day).
const STICKY_SECONDS: u32 = 86_400;

const SRC_HEADERS: &str = "docs.aws.amazon.com/elasticloadbalancing/latest/application/\
x-forwarded-headers.html; ELBv2 API LoadBalancerAttribute (routing.http.preserve_host_header.enabled, \
idle_timeout.timeout_seconds); AWS re:Post \"New ALB enhancements ... Host header\"; platforms.md §2";
const SRC_SECRETS: &str = "ECS developer guide secrets-envvar-ssm-paramstore.md, \
task_execution_IAM_role.md; SSM API PutParameter (Name, Type SecureString); platforms.md §2";

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "cluster",
        label: "Cluster",
        help: "ECS cluster (letters, digits, _ and -); empty: default",
        kind: OptionKind::Text,
        default: DEFAULT_CLUSTER,
    },
    OptionSpec {
        key: "service",
        label: "Service name",
        help: "ECS service, also the task definition family and container name; empty: the app id",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "target_group",
        label: "Target group",
        help: "The ALB target group (target type ip) that forwards to the service; empty: the service name",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "region",
        label: "Region",
        help: "e.g. us-east-1; empty: the AWS CLI's configured Region",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "account_id",
        label: "AWS account id",
        help: "12 digits; with the Region it makes task-definition.json carry full ARNs",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "image",
        label: "Container image",
        help: "Empty: the app's official image for the chosen version",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "cpu",
        label: "CPU units",
        help: "Fargate task CPU (1024 = 1 vCPU)",
        kind: OptionKind::Choice(CPUS),
        default: "1024",
    },
    OptionSpec {
        key: "memory",
        label: "Memory (MiB)",
        help: "Fargate task memory; must suit the CPU size",
        kind: OptionKind::Integer,
        default: "2048",
    },
    OptionSpec {
        key: "max_instances",
        label: "Tasks",
        help: "The service's desired count",
        kind: OptionKind::Integer,
        default: "1",
    },
    OptionSpec {
        key: "secrets",
        label: "Secrets",
        help: "Where secret values live",
        kind: OptionKind::Choice(SECRET_MODES),
        default: "ssm",
    },
    OptionSpec {
        key: "execution_role",
        label: "Task execution role",
        help: "IAM role ECS uses to pull the image and read the secrets; created when missing",
        kind: OptionKind::Text,
        default: DEFAULT_ROLE,
    },
    OptionSpec {
        key: "subnets",
        label: "Subnets (first deploy)",
        help: "Comma-separated subnet ids; needed only to create the service",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "security_groups",
        label: "Security groups (first deploy)",
        help: "Comma-separated security group ids; empty: the VPC's default group",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "stickiness",
        label: "Sticky sessions",
        help: "ALB cookie (AWSALB) sends a browser back to the same task, best effort; a mitigation, not a fix for state that differs between tasks",
        kind: OptionKind::Choice(YES_NO),
        default: "no",
    },
];

static CODES: &[Code] = &[
    Code {
        code: "ECS001",
        severity: Severity::Error,
        name: "cluster-name-invalid",
        explanation: "What: the ECS cluster name has characters ECS does not allow, or is too long.\n\
Why: cluster names are up to 255 letters, digits, underscores and hyphens; the AWS CLI calls fail \
with an InvalidParameterException otherwise.\n\
Example: `default`, `prod-apps`.\n\
References: ECS API CreateCluster.clusterName (botocore ecs service model).",
    },
    Code {
        code: "ECS002",
        severity: Severity::Error,
        name: "service-name-invalid",
        explanation: "What: the ECS service name has characters ECS does not allow, or is too long.\n\
Why: service names (also used here as the task definition family and the container name) are up \
to 255 letters, digits, underscores and hyphens.\n\
Example: `label-studio`.\n\
References: ECS API CreateService.serviceName, RegisterTaskDefinition.family, \
ContainerDefinition.name (botocore ecs service model).",
    },
    Code {
        code: "ECS003",
        severity: Severity::Error,
        name: "target-group-name-invalid",
        explanation: "What: the target group name is not a valid ELB target group name.\n\
Why: target group names have at most 32 characters, only letters, digits and hyphens, and do not \
begin or end with a hyphen. Without the option the service name is used, so a long service name \
needs an explicit target group.\n\
Example: `label-studio`.\n\
References: ELBv2 API CreateTargetGroup.Name (botocore elbv2 service model).",
    },
    Code {
        code: "ECS004",
        severity: Severity::Error,
        name: "fargate-size-invalid",
        explanation: "What: Fargate does not offer this CPU and memory combination.\n\
Why: RegisterTaskDefinition accepts only the documented pairs, e.g. 256 CPU with 512-2048 MiB, \
1024 CPU with 2048-8192 MiB in 1024 MiB steps, 4096 CPU with 8192-30720 MiB.\n\
Example: CPU 1024, memory 2048.\n\
References: ECS API RegisterTaskDefinition.memory (botocore ecs service model).",
    },
    Code {
        code: "ECS005",
        severity: Severity::Error,
        name: "image-missing",
        explanation: "What: there is no container image to run.\n\
Why: Fargate runs images only; it cannot build your code. Frameworks (your own app) have no \
official image: build one, push it (for example to Amazon ECR) and enter its URI.\n\
Example: `123456789012.dkr.ecr.us-east-1.amazonaws.com/myapp:1.0`.\n\
References: ECS API ContainerDefinition.image.",
    },
    Code {
        code: "ECS006",
        severity: Severity::Warning,
        name: "inline-secrets",
        explanation: "What: secret values are written in plain text into the task definition.\n\
Why: everybody who can describe task definitions reads them, and every revision keeps them. In SSM \
Parameter Store (SecureString) they are encrypted and only the task execution role reads them; \
the deploy script creates the parameters for you.\n\
Example: `--set secrets=ssm`.\n\
References: ECS API ContainerDefinition.environment (\"We don't recommend that you use plaintext \
environment variables for sensitive information\"); ECS developer guide \
secrets-envvar-ssm-paramstore.md.",
    },
    Code {
        code: "ECS007",
        severity: Severity::Info,
        name: "arns-filled-at-deploy",
        explanation: "What: without the account id and the Region, task-definition.json names the \
SSM parameters by name and leaves out executionRoleArn.\n\
Why: a parameter in the task's own Region may be given by name, and the deploy script looks the \
role's ARN up and passes --execution-role-arn, which overrides the file. Set both options if you \
register task-definition.json yourself (console, CI) so it carries full ARNs.\n\
Example: `--set account_id=123456789012 --set region=us-east-1`.\n\
References: ECS developer guide secrets-envvar-ssm-paramstore.md; AWS CLI --cli-input-json (\"If \
other arguments are provided on the command line, those values will override the JSON-provided \
values\").",
    },
    Code {
        code: "ECS008",
        severity: Severity::Error,
        name: "account-id-invalid",
        explanation: "What: the AWS account id is not 12 digits.\n\
Why: ARNs carry the 12-digit account id; anything else makes every ARN in the task definition \
wrong.\n\
Example: `123456789012`.\n\
References: AWS IAM User Guide, account identifiers.",
    },
    Code {
        code: "ECS009",
        severity: Severity::Warning,
        name: "region-differs-from-url",
        explanation: "What: the Region differs from the one in the load balancer's DNS name.\n\
Why: an ALB DNS name `NAME-ID.REGION.elb.amazonaws.com` belongs to a load balancer in that Region; \
the service and its parameters must be in the same Region.\n\
Example: URL in `us-east-1`, Region `eu-west-1`.\n\
References: ELB API CreateLoadBalancer (\"The DNS name includes the name of the AWS region\"); \
platforms.md §2.",
    },
    Code {
        code: "ECS010",
        severity: Severity::Info,
        name: "region-from-url",
        explanation: "What: the Region can be taken from the load balancer's DNS name.\n\
Why: without it the AWS CLI's configured Region is used, which may not be the ALB's.\n\
Example: `https://my-alb-123456789.us-east-1.elb.amazonaws.com` gives `us-east-1`.\n\
References: ELB API CreateLoadBalancer (\"The DNS name includes the name of the AWS region\"); \
platforms.md §2.",
    },
    Code {
        code: "ECS011",
        severity: Severity::Error,
        name: "network-ids-invalid",
        explanation: "What: a subnet or security group id is malformed.\n\
Why: create-service takes `subnet-…` and `sg-…` ids (hexadecimal after the prefix), \
comma-separated, at most 16 subnets and 5 security groups.\n\
Example: `subnet-0abc1234,subnet-0def5678`.\n\
References: ECS API AwsVpcConfiguration (botocore ecs service model).",
    },
    Code {
        code: "ECS012",
        severity: Severity::Warning,
        name: "region-invalid",
        explanation: "What: the Region does not look like an AWS Region code.\n\
Why: Region codes are lower-case words joined by `-` and ending in a number; the AWS CLI cannot \
reach an endpoint for anything else.\n\
Example: `us-east-1`, `eu-central-1`, `ap-southeast-2`.\n\
References: AWS General Reference, Regions and endpoints.",
    },
    Code {
        code: "ECS013",
        severity: Severity::Error,
        name: "execution-role-invalid",
        explanation: "What: the task execution role name is not a valid IAM role name.\n\
Why: IAM role names are 1-64 letters, digits and `_+=,.@-`.\n\
Example: `ecsTaskExecutionRole`.\n\
References: IAM API CreateRole.RoleName (botocore iam service model).",
    },
    Code {
        code: "ECS014",
        severity: Severity::Info,
        name: "first-deploy-needs-subnets",
        explanation: "What: no subnets are set, so the deploy script can update an existing service \
but not create it.\n\
Why: creating a Fargate service needs its network: the subnets (and security groups) of the \
tasks. On the first deploy the script stops with this explanation instead of guessing.\n\
Example: `--set subnets=subnet-0abc1234,subnet-0def5678 --set security_groups=sg-0123abcd`.\n\
References: ECS API CreateService.networkConfiguration, AwsVpcConfiguration.",
    },
];

/// Region code: lower-case words joined by `-`, ending in digits (`us-east-1`, `us-gov-west-1`).
fn is_region(r: &str) -> bool {
    let Some((words, digits)) = r.rsplit_once('-') else {
        return false;
    };
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && words.contains('-')
        && words
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}

/// The Region of an ALB DNS name `[internal-]NAME-ID.REGION.elb.amazonaws.com`, if it has one.
pub fn alb_region(host: &str) -> Option<String> {
    let rest = host.strip_suffix(".elb.amazonaws.com")?;
    let (name, region) = rest.rsplit_once('.')?;
    (!name.is_empty() && !name.contains('.') && is_region(region)).then(|| region.to_owned())
}

/// Up to 255 letters, digits, `_`, `-` (cluster, service, family, container).
fn ecs_name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Up to 32 letters, digits, `-`, not starting or ending with `-`.
fn target_group_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn role_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// Letters, digits and single `-`, at most 32 characters: valid as cluster, service and target
/// group name alike (the unsafe fixes of ECS001-ECS003).
fn sanitise(s: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(32);
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out
    }
}

/// Valid Fargate memory sizes (MiB) for a CPU size.
fn memory_sizes(cpu: u32) -> Vec<u32> {
    let range = |from: u32, to: u32, step: u32| (from..=to).step_by(step as usize).collect();
    match cpu {
        256 => vec![512, 1024, 2048],
        512 => range(1024, 4096, 1024),
        1024 => range(2048, 8192, 1024),
        2048 => range(4096, 16384, 1024),
        4096 => range(8192, 30720, 1024),
        8192 => range(16384, 61440, 4096),
        16384 => range(32768, 122_880, 8192),
        _ => Vec::new(),
    }
}

fn id_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn id_ok(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

use crate::engine::diagnostics::set_option as set;

impl EcsFargate {
    fn or_default<'a>(v: &'a Valid<'_>, key: &str, default: &'a str) -> &'a str {
        let s = v.opt(key).trim();
        if s.is_empty() { default } else { s }
    }

    fn cluster<'a>(v: &'a Valid<'_>) -> &'a str {
        Self::or_default(v, "cluster", DEFAULT_CLUSTER)
    }

    fn service<'a>(v: &'a Valid<'a>) -> &'a str {
        Self::or_default(v, "service", v.app.id())
    }

    fn target_group<'a>(v: &'a Valid<'a>) -> &'a str {
        Self::or_default(v, "target_group", Self::service(v))
    }

    fn role<'a>(v: &'a Valid<'_>) -> &'a str {
        Self::or_default(v, "execution_role", DEFAULT_ROLE)
    }

    fn region<'a>(v: &'a Valid<'_>) -> &'a str {
        v.opt("region").trim()
    }

    fn account<'a>(v: &'a Valid<'_>) -> &'a str {
        v.opt("account_id").trim()
    }

    fn inline(v: &Valid<'_>) -> bool {
        v.opt("secrets") == "inline"
    }

    fn image(v: &Valid<'_>, plan: &Plan) -> String {
        let i = v.opt("image").trim();
        if i.is_empty() {
            plan.app.image.clone()
        } else {
            i.to_owned()
        }
    }

    /// `/SERVICE/SLUG`: the SSM parameter holding a secret.
    fn parameter(v: &Valid<'_>, slug: &str) -> String {
        format!("/{}/{slug}", Self::service(v))
    }

    /// Full ARNs need both the Region and the account id.
    fn full_arns(v: &Valid<'_>) -> bool {
        is_region(Self::region(v))
            && Self::account(v).len() == 12
            && Self::account(v).bytes().all(|b| b.is_ascii_digit())
    }

    /// What `valueFrom` says for a parameter.
    fn value_from(v: &Valid<'_>, slug: &str) -> String {
        let name = Self::parameter(v, slug);
        if Self::full_arns(v) {
            format!(
                "arn:aws:ssm:{}:{}:parameter{name}",
                Self::region(v),
                Self::account(v)
            )
        } else {
            name
        }
    }

    fn task_definition(v: &Valid<'_>, plan: &Plan) -> TaskDefinition {
        let inline = Self::inline(v);
        let mut environment = Vec::new();
        let mut secrets = Vec::new();
        for var in plan.deploy_env() {
            match &var.value {
                EnvValue::Literal(val) => environment.push(KeyValuePair {
                    name: var.name.clone(),
                    value: val.clone(),
                }),
                EnvValue::Secret(s) if inline => environment.push(KeyValuePair {
                    name: var.name.clone(),
                    value: s.value.clone().unwrap_or_default(),
                }),
                EnvValue::Secret(s) => secrets.push(ecs::Secret {
                    name: var.name.clone(),
                    value_from: Self::value_from(v, s.slug),
                }),
            }
        }
        let image = Self::image(v, plan);
        TaskDefinition {
            family: Self::service(v).to_owned(),
            network_mode: "awsvpc",
            requires_compatibilities: vec!["FARGATE"],
            cpu: Self::or_default(v, "cpu", "1024").to_owned(),
            memory: Self::or_default(v, "memory", "2048").to_owned(),
            execution_role_arn: Self::full_arns(v)
                .then(|| format!("arn:aws:iam::{}:role/{}", Self::account(v), Self::role(v))),
            container_definitions: vec![ContainerDefinition {
                name: Self::service(v).to_owned(),
                image: if image.is_empty() {
                    "YOUR_IMAGE_URI".to_owned()
                } else {
                    image
                },
                essential: true,
                port_mappings: vec![PortMapping {
                    container_port: plan.app.container_port,
                    protocol: "tcp",
                }],
                environment,
                secrets,
            }],
        }
    }

    /// `aws WORDS... [--region R]`.
    fn aws(v: &Valid<'_>, words: &[&str]) -> Vec<Word> {
        let mut argv: Vec<Word> = std::iter::once("aws")
            .chain(words.iter().copied())
            .map(Word::lit)
            .collect();
        let region = Self::region(v);
        if !region.is_empty() {
            argv.push(Word::lit("--region"));
            argv.push(Word::lit(region));
        }
        argv
    }

    fn aws_with(v: &Valid<'_>, words: &[&str], extra: Vec<Word>) -> Vec<Word> {
        let mut argv = Self::aws(v, words);
        argv.extend(extra);
        argv
    }

    /// The load balancer part shared by the deploy script and the proxy block: look the target
    /// group and its load balancer up, then set the attributes.
    fn alb_steps(v: &Valid<'_>, s: &mut Script, need_tg_arn: bool) {
        let tg = Self::target_group(v);
        s.comment(format!(
            "Target group {tg} and the load balancer that forwards to it (both must exist)."
        ));
        if need_tg_arn || v.opt("stickiness") == "yes" {
            s.raw(format!(
                "tg_arn=\"$({})\"",
                shell::line(&Self::aws(
                    v,
                    &[
                        "elbv2",
                        "describe-target-groups",
                        "--names",
                        tg,
                        "--query",
                        "TargetGroups[0].TargetGroupArn",
                        "--output",
                        "text",
                    ],
                ))
            ));
        }
        s.raw(format!(
            "lb_arn=\"$({})\"",
            shell::line(&Self::aws(
                v,
                &[
                    "elbv2",
                    "describe-target-groups",
                    "--names",
                    tg,
                    "--query",
                    "TargetGroups[0].LoadBalancerArns[0]",
                    "--output",
                    "text",
                ],
            ))
        ));
        s.raw("if [ \"$lb_arn\" = None ]; then");
        s.raw(format!(
            "echo {} >&2",
            quote(&format!(
                "Target group {tg} is not used by a load balancer yet: add a listener rule that forwards to it"
            ))
        ));
        s.raw("exit 1");
        s.raw("fi");
        s.comment("The ALB sends X-Forwarded-Proto and X-Forwarded-Port but no X-Forwarded-Host;");
        s.comment("by default it may also append the listener port to Host (host:8443), which");
        s.comment("breaks Origin/CSRF checks. preserve_host_header sends Host unchanged.");
        let mut attrs = vec![Word::lit(
            "Key=routing.http.preserve_host_header.enabled,Value=true",
        )];
        if v.app.websockets() {
            s.comment(format!(
                "{} keeps WebSockets open: the idle timeout (default 60 s) would close quiet ones.",
                v.app.name()
            ));
            attrs.push(Word::lit(format!(
                "Key=idle_timeout.timeout_seconds,Value={WEBSOCKET_IDLE_TIMEOUT}"
            )));
        }
        let mut extra = vec![
            Word::lit("--load-balancer-arn"),
            Word::Raw("\"$lb_arn\"".to_owned()),
            Word::lit("--attributes"),
        ];
        extra.extend(attrs);
        s.cmd_with(
            None,
            Self::aws_with(v, &["elbv2", "modify-load-balancer-attributes"], extra),
            Some(">/dev/null".to_owned()),
        );
        if v.opt("stickiness") == "yes" {
            s.comment("Sticky sessions (cookie AWSALB), best effort: a task that is replaced or");
            s.comment("scaled in loses its browsers. A mitigation for per-task state, not a fix.");
            s.cmd_with(
                None,
                Self::aws_with(
                    v,
                    &["elbv2", "modify-target-group-attributes"],
                    vec![
                        Word::lit("--target-group-arn"),
                        Word::Raw("\"$tg_arn\"".to_owned()),
                        Word::lit("--attributes"),
                        Word::lit("Key=stickiness.enabled,Value=true"),
                        Word::lit("Key=stickiness.type,Value=lb_cookie"),
                        Word::lit(format!(
                            "Key=stickiness.lb_cookie.duration_seconds,Value={STICKY_SECONDS}"
                        )),
                    ],
                ),
                Some(">/dev/null".to_owned()),
            );
        }
    }

    fn secret_vars<'p>(v: &Valid<'_>, plan: &'p Plan) -> Vec<&'p EnvVar> {
        if Self::inline(v) {
            return Vec::new();
        }
        plan.deploy_env().filter(|e| e.is_secret()).collect()
    }

    /// `task_json`: the rendered task definition (the env block's content).
    fn deploy_block(v: &Valid<'_>, plan: &Plan, header: &Header, task_json: &str) -> Block {
        let service = Self::service(v);
        let cluster = Self::cluster(v);
        let role = Self::role(v);
        let secret_vars = Self::secret_vars(v, plan);
        let mut s = Script::default();
        s.raw("#!/usr/bin/env bash");
        for l in header.lines("deploy") {
            s.comment(l);
        }
        s.comment("");
        s.comment(format!(
            "Deploys {} to the ECS service {service} in cluster {cluster} (Fargate), behind the",
            plan.app_name
        ));
        s.comment(format!(
            "ALB target group {} (target type ip, port {}), with the AWS CLI.",
            Self::target_group(v),
            plan.app.container_port
        ));
        s.comment("Run it as a file (bash deploy.sh) or paste it into bash: the commands run in a");
        s.comment("subshell, so a failure stops the script and leaves your shell open.");
        if !secret_vars.is_empty() {
            super::secret_variables_comment(
                &mut s,
                [
                    "Secret values are read from these shell variables when the SSM parameter",
                    "does not exist yet (export them first):",
                ],
                secret_vars.iter().copied(),
            );
        }
        s.raw("(");
        s.raw("set -euo pipefail");
        let mut arn_vars = Vec::new();
        if !secret_vars.is_empty() {
            s.blank();
            s.comment("1. Secrets: SSM Parameter Store SecureString parameters, created once (a");
            s.comment("   rerun keeps their values). The value goes through a pipe, never argv.");
            s.comment(format!("   Sources: {SRC_SECRETS}."));
            for (i, var) in secret_vars.iter().enumerate() {
                let EnvValue::Secret(spec) = &var.value else {
                    continue;
                };
                let name = Self::parameter(v, spec.slug);
                let shell_var = format!("{}_VALUE", var.name);
                let value_expr = match spec.generate {
                    Some(g) => format!("\"${{{shell_var}:-$({} | tr -d '\\n')}}\"", g.openssl()),
                    None => format!(
                        "\"${{{shell_var}:?export {shell_var} first: {}}}\"",
                        spec.describe
                    ),
                };
                s.comment(format!("{}: {}.", var.name, spec.describe));
                s.raw(format!(
                    "if ! {} >/dev/null 2>&1; then",
                    shell::line(&Self::aws(v, &["ssm", "get-parameter", "--name", &name]))
                ));
                s.cmd_with(
                    Some(format!("printf '%s' {value_expr} |")),
                    Self::aws(
                        v,
                        &[
                            "ssm",
                            "put-parameter",
                            "--name",
                            &name,
                            "--type",
                            "SecureString",
                            "--value",
                            "file:///dev/stdin",
                        ],
                    ),
                    Some(">/dev/null".to_owned()),
                );
                s.raw("fi");
                let arn_var = format!("param_arn_{}", i + 1);
                s.raw(format!(
                    "{arn_var}=\"$({})\"",
                    shell::line(&Self::aws(
                        v,
                        &[
                            "ssm",
                            "get-parameter",
                            "--name",
                            &name,
                            "--query",
                            "Parameter.ARN",
                            "--output",
                            "text",
                        ],
                    ))
                ));
                arn_vars.push(arn_var);
            }
        }
        s.blank();
        s.comment(format!(
            "{}. The task execution role: pulls the image and reads the secrets at task start.",
            if secret_vars.is_empty() { 1 } else { 2 }
        ));
        s.raw(format!(
            "if ! aws iam get-role --role-name {} >/dev/null 2>&1; then",
            quote(role)
        ));
        s.cmd_with(
            None,
            vec![
                Word::lit("aws"),
                Word::lit("iam"),
                Word::lit("create-role"),
                Word::lit("--role-name"),
                Word::lit(role),
                Word::lit("--assume-role-policy-document"),
                Word::lit(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
                ),
            ],
            Some(">/dev/null".to_owned()),
        );
        s.cmd(vec![
            Word::lit("aws"),
            Word::lit("iam"),
            Word::lit("attach-role-policy"),
            Word::lit("--role-name"),
            Word::lit(role),
            Word::lit("--policy-arn"),
            Word::lit("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"),
        ]);
        s.raw("fi");
        s.raw(format!(
            "role_arn=\"$(aws iam get-role --role-name {} --query Role.Arn --output text)\"",
            quote(role)
        ));
        if !arn_vars.is_empty() {
            s.comment("Allow the role to read exactly these parameters (ssm:GetParameters).");
            let slots = vec!["\"%s\""; arn_vars.len()].join(",");
            let args: Vec<String> = arn_vars.iter().map(|a| format!("\"${a}\"")).collect();
            s.raw(format!(
                "policy=\"$(printf '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameters\",\"Resource\":[{slots}]}}]}}' {})\"",
                args.join(" ")
            ));
            s.cmd(vec![
                Word::lit("aws"),
                Word::lit("iam"),
                Word::lit("put-role-policy"),
                Word::lit("--role-name"),
                Word::lit(role),
                Word::lit("--policy-name"),
                Word::lit(format!("{service}-ssm-read")),
                Word::lit("--policy-document"),
                Word::Raw("\"$policy\"".to_owned()),
            ]);
        }
        let mut step = if secret_vars.is_empty() { 2 } else { 3 };
        s.blank();
        s.comment(format!(
            "{step}. Load balancer settings (also the proxy block, alb.sh)."
        ));
        Self::alb_steps(v, &mut s, !id_list(v.opt("subnets")).is_empty());
        step += 1;
        s.blank();
        s.comment(format!(
            "{step}. The task definition (the env block, task-definition.json), read from the"
        ));
        s.comment("   here-document below; --execution-role-arn overrides the file's value.");
        let mut register = Self::aws(
            v,
            &[
                "ecs",
                "register-task-definition",
                "--cli-input-json",
                "file:///dev/stdin",
            ],
        );
        register.push(Word::lit("--execution-role-arn"));
        register.push(Word::Raw("\"$role_arn\"".to_owned()));
        s.cmd_with(
            None,
            register,
            Some(format!(">/dev/null <<'{HEREDOC_DELIMITER}'")),
        );
        s.heredoc(task_json, HEREDOC_DELIMITER);
        step += 1;
        s.blank();
        s.comment(format!(
            "{step}. The service: updated in place (a new deployment also re-reads the secrets),"
        ));
        s.comment("   or created on the first deploy.");
        s.raw(format!(
            "status=\"$({})\"",
            shell::line(&Self::aws(
                v,
                &[
                    "ecs",
                    "describe-services",
                    "--cluster",
                    cluster,
                    "--services",
                    service,
                    "--query",
                    "services[0].status",
                    "--output",
                    "text",
                ],
            ))
        ));
        s.raw("if [ \"$status\" = ACTIVE ]; then");
        s.cmd_with(None, Self::update_argv(v), Some(">/dev/null".to_owned()));
        s.raw("else");
        let subnets = id_list(v.opt("subnets"));
        if subnets.is_empty() {
            s.raw(format!(
                "echo {} >&2",
                quote(&format!(
                    "Service {service} does not exist in cluster {cluster} yet: set the subnets option (and security groups) and generate this script again"
                ))
            ));
            s.raw("exit 1");
        } else {
            let groups = id_list(v.opt("security_groups"));
            let mut network = format!("awsvpcConfiguration={{subnets=[{}]", subnets.join(","));
            if !groups.is_empty() {
                network.push_str(&format!(",securityGroups=[{}]", groups.join(",")));
            }
            network.push('}');
            s.cmd_with(
                None,
                Self::aws_with(
                    v,
                    &[
                        "ecs",
                        "create-service",
                        "--cluster",
                        cluster,
                        "--service-name",
                        service,
                        "--task-definition",
                        service,
                        "--desired-count",
                        &Self::desired(v),
                        "--launch-type",
                        "FARGATE",
                        "--network-configuration",
                        &network,
                    ],
                    vec![
                        Word::lit("--load-balancers"),
                        Word::Raw(format!(
                            "\"targetGroupArn=${{tg_arn}},containerName={service},containerPort={}\"",
                            plan.app.container_port
                        )),
                    ],
                ),
                Some(">/dev/null".to_owned()),
            );
        }
        s.raw("fi");
        s.cmd(Self::aws(
            v,
            &[
                "ecs",
                "wait",
                "services-stable",
                "--cluster",
                cluster,
                "--services",
                service,
            ],
        ));
        s.raw(")");
        Block {
            id: "deploy",
            title: "Deploy script (AWS CLI)".to_owned(),
            language: "bash",
            filename: "deploy.sh".to_owned(),
            content: s.render(),
            contains_secret: Self::inline(v)
                && plan
                    .env
                    .iter()
                    .any(|e| e.is_secret() && e.known_value().is_some()),
        }
    }

    fn desired(v: &Valid<'_>) -> String {
        Self::or_default(v, "max_instances", "1").to_owned()
    }

    /// `aws ecs update-service ...`: every word literal.
    fn update_argv(v: &Valid<'_>) -> Vec<Word> {
        let service = Self::service(v);
        Self::aws(
            v,
            &[
                "ecs",
                "update-service",
                "--cluster",
                Self::cluster(v),
                "--service",
                service,
                "--task-definition",
                service,
                "--desired-count",
                &Self::desired(v),
                "--force-new-deployment",
            ],
        )
    }

    fn env_block(v: &Valid<'_>, plan: &Plan, task_json: String) -> Block {
        Block {
            id: "env",
            title: "Environment (ECS task definition)".to_owned(),
            language: "json",
            filename: "task-definition.json".to_owned(),
            content: task_json,
            contains_secret: Self::inline(v)
                && plan
                    .env
                    .iter()
                    .any(|e| e.is_secret() && e.known_value().is_some()),
        }
    }

    fn proxy_block(v: &Valid<'_>, header: &Header) -> Block {
        let mut s = Script::default();
        s.raw("#!/usr/bin/env bash");
        for l in header.lines("proxy") {
            s.comment(l);
        }
        s.comment("");
        s.comment("Application Load Balancer settings (deploy.sh applies them too). What the ALB");
        s.comment("sends to the task:");
        s.comment("  X-Forwarded-Proto  the scheme the browser used (https on an HTTPS listener)");
        s.comment("  X-Forwarded-Port   the listener port");
        s.comment("  X-Forwarded-For    the client address, appended (xff_header_processing.mode)");
        s.comment("  X-Forwarded-Host   never: apps get the public URL from their settings");
        s.comment("  Host               unchanged only with preserve_host_header (set below)");
        s.comment("The same settings as load balancer attributes (Terraform, CloudFormation):");
        s.comment("  routing.http.preserve_host_header.enabled = true");
        if v.app.websockets() {
            s.comment(format!(
                "  idle_timeout.timeout_seconds = {WEBSOCKET_IDLE_TIMEOUT}"
            ));
        }
        if v.opt("stickiness") == "yes" {
            s.comment("  target group: stickiness.enabled = true, stickiness.type = lb_cookie");
        }
        s.comment(format!("Sources: {SRC_HEADERS}."));
        s.raw("(");
        s.raw("set -euo pipefail");
        Self::alb_steps(v, &mut s, false);
        s.raw(")");
        Block {
            id: "proxy",
            title: "Load balancer settings (ALB)".to_owned(),
            language: "bash",
            filename: "alb.sh".to_owned(),
            content: s.render(),
            contains_secret: false,
        }
    }
}

impl Platform for EcsFargate {
    fn id(&self) -> &'static str {
        "ecs-fargate"
    }
    fn name(&self) -> &'static str {
        "AWS ECS on Fargate"
    }
    fn summary(&self) -> &'static str {
        "Containers on Fargate behind an Application Load Balancer (X-Forwarded-Proto, no X-Forwarded-Host)"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn https_only(&self) -> bool {
        // An ALB can have an HTTP listener: http origins are possible.
        false
    }
    fn reserved(&self, _name: &str) -> bool {
        false
    }
    fn codes(&self) -> &'static [Code] {
        CODES
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let cluster = v.opt("cluster").trim();
        if !cluster.is_empty() && !ecs_name_ok(cluster) {
            let fixed = sanitise(cluster, DEFAULT_CLUSTER);
            diags.push(
                Diagnostic::new(
                    "ECS001",
                    field::option("cluster"),
                    format!("Not a valid ECS cluster name: {cluster}"),
                )
                .with_fix(Fix::unsafe_(format!("Use {fixed}"), set("cluster", &fixed))),
            );
        }
        let service = v.opt("service").trim();
        if !service.is_empty() && !ecs_name_ok(service) {
            let fixed = sanitise(service, v.app.id());
            diags.push(
                Diagnostic::new(
                    "ECS002",
                    field::option("service"),
                    format!("Not a valid ECS service name: {service}"),
                )
                .with_fix(Fix::unsafe_(format!("Use {fixed}"), set("service", &fixed))),
            );
        }
        let tg = Self::target_group(v);
        if ecs_name_ok(Self::service(v)) && !target_group_ok(tg) {
            let fixed = sanitise(tg, v.app.id());
            diags.push(
                Diagnostic::new(
                    "ECS003",
                    field::option("target_group"),
                    format!("Not a valid target group name (32 letters, digits, -): {tg}"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {fixed}"),
                    set("target_group", &fixed),
                )),
            );
        }
        let cpu = Self::or_default(v, "cpu", "1024").parse::<u32>().ok();
        let memory = Self::or_default(v, "memory", "2048").parse::<u32>().ok();
        if let (Some(cpu), Some(memory)) = (cpu, memory) {
            let sizes = memory_sizes(cpu);
            if !sizes.is_empty() && !sizes.contains(&memory) {
                let (lo, hi) = (sizes[0], sizes[sizes.len() - 1]);
                let best = sizes.iter().copied().find(|m| *m >= memory).unwrap_or(hi);
                diags.push(
                    Diagnostic::new(
                        "ECS004",
                        field::option("memory"),
                        format!(
                            "Fargate has no {memory} MiB size for {cpu} CPU units ({lo}-{hi} MiB): {memory}"
                        ),
                    )
                    .with_fix(Fix::unsafe_(
                        format!("Use {best} MiB"),
                        set("memory", best.to_string()),
                    )),
                );
            }
        }
        let app_plan = v.app_plan();
        if v.opt("image").trim().is_empty() && app_plan.image.is_empty() {
            diags.push(Diagnostic::new(
                "ECS005",
                field::option("image"),
                format!(
                    "{} has no official image: build and push yours, then enter its URI",
                    v.app.name()
                ),
            ));
        }
        if Self::inline(v) {
            diags.push(
                Diagnostic::new(
                    "ECS006",
                    field::option("secrets"),
                    "Secret values are written in plain text into the task definition",
                )
                .with_fix(Fix::unsafe_(
                    "Keep secrets in SSM Parameter Store",
                    set("secrets", "ssm"),
                )),
            );
        }
        let account = Self::account(v);
        let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        if !account.is_empty() && !account_ok {
            diags.push(
                Diagnostic::new(
                    "ECS008",
                    field::option("account_id"),
                    format!("An AWS account id is 12 digits: {account}"),
                )
                .with_fix(Fix::unsafe_("Clear it", set("account_id", ""))),
            );
        }
        let region = Self::region(v);
        if !region.is_empty() && !is_region(region) {
            diags.push(Diagnostic::new(
                "ECS012",
                field::option("region"),
                format!("Not an AWS Region code: {region}"),
            ));
        }
        let url_region = v
            .origins
            .iter()
            .find_map(|o| alb_region(&o.host).map(|r| (o.index, r)));
        match &url_region {
            Some((i, r)) if region.is_empty() => diags.push(
                Diagnostic::new(
                    "ECS010",
                    field::option("region"),
                    format!("URL {} is a load balancer in {r}", i + 1),
                )
                .with_fix(Fix::safe(
                    format!("Use {r} (from URL {})", i + 1),
                    set("region", r),
                )),
            ),
            Some((i, r)) if r != region => diags.push(
                Diagnostic::new(
                    "ECS009",
                    field::option("region"),
                    format!("URL {} is a load balancer in {r}, not {region}", i + 1),
                )
                .with_fix(Fix::unsafe_(format!("Use {r}"), set("region", r))),
            ),
            _ => {}
        }
        if !Self::inline(v) && !Self::full_arns(v) && app_plan.env.iter().any(EnvVar::is_secret) {
            diags.push(Diagnostic::new(
                "ECS007",
                field::option("account_id"),
                "Account id or Region not set: the deploy script fills in the role ARN, the file names parameters",
            ));
        }
        let role = Self::role(v);
        if !role_ok(role) {
            diags.push(
                Diagnostic::new(
                    "ECS013",
                    field::option("execution_role"),
                    format!("Not a valid IAM role name: {role}"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {DEFAULT_ROLE}"),
                    set("execution_role", DEFAULT_ROLE),
                )),
            );
        }
        for (key, prefix, max) in [("subnets", "subnet-", 16), ("security_groups", "sg-", 5)] {
            let ids = id_list(v.opt(key));
            if let Some(bad) = ids.iter().find(|id| !id_ok(id, prefix)) {
                diags.push(
                    Diagnostic::new(
                        "ECS011",
                        field::option(key),
                        format!("Not a {prefix}… id: {bad}"),
                    )
                    .with_fix(Fix::unsafe_("Clear it", set(key, ""))),
                );
            } else if ids.len() > max {
                diags.push(Diagnostic::new(
                    "ECS011",
                    field::option(key),
                    format!("At most {max} ids: {}", ids.len()),
                ));
            }
        }
        if id_list(v.opt("subnets")).is_empty() {
            diags.push(Diagnostic::new(
                "ECS014",
                field::option("subnets"),
                "No subnets: the deploy script updates an existing service but cannot create it",
            ));
        }
    }

    fn injected(&self, _v: &Valid<'_>, _container_port: u16) -> Vec<EnvVar> {
        Vec::new()
    }

    fn inline_secrets(&self, v: &Valid<'_>) -> bool {
        Self::inline(v)
    }

    fn secret_reference(&self, v: &Valid<'_>, var: &EnvVar) -> String {
        match &var.value {
            EnvValue::Secret(s) if !Self::inline(v) => Self::value_from(v, s.slug),
            _ => "(inline secret)".to_owned(),
        }
    }

    fn deploy_command(&self, v: &Valid<'_>, _plan: &Plan) -> Vec<String> {
        shell::unquoted(Self::update_argv(v))
    }

    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block> {
        // Rendered once: the env block and the deploy script's here-document carry the same text.
        let task_json = ecs::json(&Self::task_definition(v, plan));
        let deploy = Self::deploy_block(v, plan, header, &task_json);
        vec![
            Self::env_block(v, plan, task_json),
            deploy,
            Self::proxy_block(v, header),
        ]
    }

    /// `*.elb.amazonaws.com`: the DNS names of Application (and Classic) Load Balancers.
    fn owns_host(&self, host: &str) -> bool {
        host.ends_with(".elb.amazonaws.com")
    }
    fn needs_pushed_image_for_own_code(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alb_hosts() {
        assert_eq!(
            alb_region("my-alb-1234567890.us-west-2.elb.amazonaws.com").as_deref(),
            Some("us-west-2")
        );
        assert_eq!(
            alb_region("internal-my-alb-1234567890.eu-central-1.elb.amazonaws.com").as_deref(),
            Some("eu-central-1")
        );
        assert_eq!(alb_region("x.elb.amazonaws.com"), None);
        assert_eq!(alb_region("app.example.org"), None);
        assert!(EcsFargate.owns_host("a-1.us-east-1.elb.amazonaws.com"));
        assert!(!EcsFargate.owns_host("elb.amazonaws.com.example.org"));
    }

    #[test]
    fn names_and_sizes() {
        assert!(ecs_name_ok("label_studio-1"));
        assert!(!ecs_name_ok("label studio"));
        assert!(!ecs_name_ok(&"a".repeat(256)));
        assert!(target_group_ok("label-studio"));
        assert!(!target_group_ok("label_studio"));
        assert!(!target_group_ok(&"a".repeat(33)));
        assert!(!target_group_ok("-a"));
        for bad in ["Bad Value!", "__", &"x_".repeat(40)] {
            let s = sanitise(bad, "app");
            assert!(ecs_name_ok(&s) && target_group_ok(&s), "{bad} -> {s}");
        }
        assert!(memory_sizes(1024).contains(&2048));
        assert!(!memory_sizes(2048).contains(&2048));
        assert_eq!(memory_sizes(256), vec![512, 1024, 2048]);
        assert!(memory_sizes(4096).contains(&30720));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("useast1"));
        assert!(role_ok("ecsTaskExecutionRole"));
        assert!(!role_ok("bad role"));
        assert!(id_ok("subnet-0abc12", "subnet-"));
        assert!(!id_ok("subnet-xyz", "subnet-"));
    }
}
