import Foundation

/// The built `simbee-jwt` tool, started with its three standard streams piped, for the CLI tests.
struct ToolProcess {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()

    /// Starts the tool with `arguments`.
    init(_ arguments: [String]) throws {
        process.executableURL = CLITests.binary
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }
}
