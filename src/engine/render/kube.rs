//! Kubernetes manifest rendering (`$(` written `$$(`).
