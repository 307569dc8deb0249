import Foundation

/// The built `simbee-jwt` tool, started with its three standard streams piped, for the CLI tests.
struct ToolProcess {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()

    /// Starts the tool (or `executable`, such as a shell that runs it) with `arguments`, in
    /// `environment` when given (in the test process's own otherwise).
    init(_ arguments: [String], executable: URL = CLITests.binary, environment: [String: String]? = nil) throws {
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }
}
