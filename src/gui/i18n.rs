//! The GUI's languages: English (the source strings) and Simplified Chinese.
//!
//! Every string the window shows goes through [`tr`] (fixed text) or [`trf`] (text with `{}`
//! placeholders filled in order). The English text is the key, so a missing translation shows
//! English rather than nothing; `tests/i18n.rs` scans the sources and fails when a string has no
//! Chinese entry. Generated files, diagnostics from the engine and option help stay in English:
//! they are copied into terminals, issue trackers and docs, where one language serves everyone.
//!
//! Chinese glyphs come from a subset of Noto Sans CJK SC bundled in `assets/fonts/` (SIL Open
//! Font License 1.1), so the text renders on machines without CJK system fonts.

use std::cell::Cell;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The language's own name, for the menu.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
        }
    }
}

thread_local! {
    // Per thread: the window's UI thread, or each kittest test's own thread.
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

pub fn set(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
}

pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// The current language's text for `en`.
pub fn tr(en: &'static str) -> &'static str {
    match current() {
        Lang::En => en,
        Lang::Zh => zh(en).unwrap_or(en),
    }
}

/// [`tr`] with each `{}` replaced by the next argument.
pub fn trf(en: &'static str, args: &[&dyn std::fmt::Display]) -> String {
    let template = tr(en);
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        match args.next() {
            Some(a) => out.push_str(&a.to_string()),
            None => out.push_str("{}"),
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

pub fn zh(en: &str) -> Option<&'static str> {
    ZH.iter().find(|(e, _)| *e == en).map(|(_, z)| *z)
}

/// English -> Simplified Chinese.
pub static ZH: &[(&str, &str)] = &[
    // Menus
    ("File", "文件"),
    ("New", "新建"),
    ("Open…", "打开…"),
    ("Save", "保存"),
    ("Save As…", "另存为…"),
    ("Export all…", "全部导出…"),
    (
        "Save secret values in project files",
        "在项目文件中保存密钥值",
    ),
    ("Edit", "编辑"),
    ("Copy all", "全部复制"),
    ("Copy as CLI command", "复制为命令行"),
    (
        "The proxytrust generate command that reproduces this setup (secret values are never included)",
        "重现当前设置的 proxytrust generate 命令（从不包含密钥值）",
    ),
    ("Generate missing secrets", "生成缺少的密钥"),
    ("Examples", "示例"),
    ("View", "视图"),
    ("Theme", "主题"),
    ("System", "跟随系统"),
    ("Light", "浅色"),
    ("Dark", "深色"),
    ("Language", "语言"),
    ("Untitled", "未命名"),
    ("Example could not be read: {}", "无法读取示例：{}"),
    ("Not opened: {}", "未打开：{}"),
    // Examples menu
    ("Label Studio on Cloud Run", "Cloud Run 上的 Label Studio"),
    (
        "403 CSRF verification failed at login",
        "登录时 403 CSRF 验证失败",
    ),
    ("JupyterHub 4.1.1 XSRF", "JupyterHub 4.1.1 XSRF"),
    (
        "'_xsrf' argument missing from POST",
        "'_xsrf' argument missing from POST",
    ),
    ("RomM API CSRF", "RomM API CSRF"),
    (
        "CSRF token verification failed on API POST/PUT",
        "API POST/PUT 时 CSRF token verification failed",
    ),
    ("Open WebUI with several instances", "多实例 Open WebUI"),
    (
        "OAuth mismatching_state behind a load balancer",
        "负载均衡器后的 OAuth mismatching_state",
    ),
    ("CVAT SDK cookies", "CVAT SDK Cookie"),
    (
        "make_client asserts on missing sessionid/csrftoken",
        "缺少 sessionid/csrftoken 时 make_client 断言失败",
    ),
    // Status line
    ("Waiting for the file dialog…", "正在等待文件对话框…"),
    ("New project", "新项目"),
    ("Copied all blocks", "已复制全部内容"),
    ("Copied", "已复制"),
    ("Copied {}", "已复制 {}"),
    ("Copied the proxytrust command", "已复制 proxytrust 命令"),
    ("No secret was missing", "没有缺少的密钥"),
    ("Generated {}", "已生成 {}"),
    ("Could not generate secrets: {}", "无法生成密钥：{}"),
    ("Could not generate: {}", "无法生成：{}"),
    ("Applied: {}", "已应用：{}"),
    ("Filled the form for {}", "已为 {} 填写表单"),
    ("Nothing recognised to fill in", "没有可填写的识别结果"),
    ("Opened example: {}", "已打开示例：{}"),
    ("Opened {}", "已打开 {}"),
    ("Saved {}", "已保存 {}"),
    ("Not saved: {}", "未保存：{}"),
    ("Exported {} files to {}", "已导出 {} 个文件到 {}"),
    ("Export failed: {}", "导出失败：{}"),
    ("Cancelled", "已取消"),
    ("The file dialog closed unexpectedly", "文件对话框意外关闭"),
    // Close dialog
    ("Save changes before closing?", "关闭前保存更改吗？"),
    (
        "{} has changes that are not saved.",
        "{} 有尚未保存的更改。",
    ),
    ("This project", "此项目"),
    ("Discard changes", "放弃更改"),
    ("Cancel", "取消"),
    ("Copy secret values?", "复制密钥值？"),
    (
        "{} contains secret values in clear. Other programs can read the clipboard, and some sync it to other devices.",
        "{} 包含明文密钥值。其他程序可以读取剪贴板，有些还会把它同步到其他设备。",
    ),
    ("Copy anyway", "仍然复制"),
    // Diagnose box
    ("Diagnose an error message", "诊断错误信息"),
    ("Paste the error or the log line:", "粘贴错误或日志行："),
    (
        "Not recognised. ProxyTrust only names errors it knows from the apps' source code; nothing was guessed. Choose the app below yourself.",
        "未识别。ProxyTrust 只识别它从各应用源代码中了解的错误，不做猜测。请在下方自行选择应用。",
    ),
    ("Cause: {}", "原因：{}"),
    ("Fix: {}", "修复：{}"),
    ("Source: {}", "来源：{}"),
    ("Fill the form", "填写表单"),
    (
        "Set the app, add the URL and the version the message names",
        "设置消息中提到的应用、URL 和版本",
    ),
    (
        "The form already says what the message names",
        "表单已包含消息中提到的内容",
    ),
    // Form
    ("Public URLs", "公开 URL"),
    (
        "Every URL people open in the browser: the run.app URL, a custom domain, …",
        "用户在浏览器中打开的每个 URL：run.app URL、自定义域名……",
    ),
    ("URL {}", "URL {}"),
    ("Remove", "删除"),
    ("Remove URL {}", "删除 URL {}"),
    ("Add URL", "添加 URL"),
    ("Platform", "平台"),
    ("App", "应用"),
    ("Version", "版本"),
    ("{} (not supported yet)", "{}（尚不支持）"),
    ("newest known: {}", "已知最新：{}"),
    ("Known versions", "已知版本"),
    ("Extra variables", "额外变量"),
    ("Secrets", "密钥"),
    ("Name {}", "名称 {}"),
    ("Value", "值"),
    ("Remove variable {}", "删除变量 {}"),
    ("Add variable", "添加变量"),
    ("No secrets for this setup", "此设置不需要密钥"),
    (
        "Values stay on this machine: they are used in the .env block and inline secrets, and are saved in project files only if you choose so (File menu).",
        "密钥值只保存在本机：用于 .env 和内联密钥，只有在你选择时（文件菜单）才会写入项目文件。",
    ),
    (
        "not set: kept in the secret store",
        "未设置：保存在密钥存储中",
    ),
    ("Show", "显示"),
    ("Show {}", "显示 {}"),
    ("Show or hide the value of {}", "显示或隐藏 {} 的值"),
    ("Generate", "生成"),
    (
        "This value comes from elsewhere (a database URL, your identity provider): paste it",
        "此值来自别处（数据库 URL、身份提供商）：请粘贴",
    ),
    (
        "Fill {} with {} random bytes in hex",
        "为 {} 填充 {} 个随机字节（十六进制）",
    ),
    (
        "Fill {} with 50 random letters and digits",
        "为 {} 填充 50 个随机字母和数字",
    ),
    // Diagnostics
    ("No problems found", "未发现问题"),
    ("Problems ({})", "问题（{}）"),
    ("error", "错误"),
    ("warning", "警告"),
    ("info", "提示"),
    ("Apply fix: {}", "应用修复：{}"),
    // Outputs
    ("Nothing to generate yet", "暂无可生成的内容"),
    (
        "Choose a supported app and platform; the problems list says what is missing.",
        "请选择受支持的应用和平台；问题列表会说明缺少什么。",
    ),
    ("{} (secret)", "{}（含密钥）"),
    ("Copy", "复制"),
    ("Copy {}", "复制 {}"),
    ("Save block…", "保存此块…"),
    (
        "This block contains secret values: it is saved with mode 0600",
        "此块包含密钥值：保存时文件权限为 0600",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_match_and_keys_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for (en, zh) in ZH {
            assert!(seen.insert(*en), "duplicate key {en:?}");
            assert_eq!(
                en.matches("{}").count(),
                zh.matches("{}").count(),
                "placeholders differ: {en:?}"
            );
        }
    }

    #[test]
    fn trf_fills_in_order_and_survives_missing_args() {
        set(Lang::En);
        assert_eq!(
            trf("Exported {} files to {}", &[&3, &"/x"]),
            "Exported 3 files to /x"
        );
        assert_eq!(
            trf("Exported {} files to {}", &[&3]),
            "Exported 3 files to {}"
        );
        set(Lang::Zh);
        assert_eq!(trf("Copied {}", &[&"a.sh"]), "已复制 a.sh");
        assert_eq!(tr("no such string"), "no such string");
        set(Lang::En);
    }
}
