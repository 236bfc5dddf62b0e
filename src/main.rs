fn main() -> std::process::ExitCode {
    minpriv::cli::main()
}
