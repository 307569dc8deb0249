import ArgumentParser
import SimbeeJWT

/// `simbee-jwt decode`: shows a token's header and payload without verifying anything.
struct DecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Print a token's header and payload, marked \"verified\":false. Verifies nothing.",
        discussion: "For debugging only: every byte shown was chosen by whoever made the token."
    )

    @Argument(help: ArgumentHelp("The token.", valueName: "TOKEN"))
    var token: String

    func run() async throws {
        let line: String
        let decoded: Bool
        do {
            line = try ResultLine.decoded(token)
            decoded = true
        } catch {
            line = ResultLine.undecodable(code: error.code.name, message: error.message)
            decoded = false
        }
        try Output.standardOutput(line + "\n")
        if !decoded { throw ExitCode(1) }
    }
}
