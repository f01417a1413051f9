#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser as _;
use proxytrust::cli::{self, Cli, Command, GuiArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => proxytrust::gui::run(&GuiArgs::default()),
        Some(Command::Gui(args)) => proxytrust::gui::run(&args),
        Some(Command::Generate(args)) => cli::generate(&args),
        Some(Command::Check(args)) => cli::check(&args),
        Some(Command::List(args)) => cli::list(&args),
        Some(Command::Explain { code }) => cli::explain(&code),
        Some(Command::Diagnose(args)) => cli::diagnose(&args),
    }
}
