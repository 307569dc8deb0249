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
        do {
            Output.standardOutput(try ResultLine.decoded(token) + "\n")
        } catch {
            Output.standardOutput(ResultLine.rejected(code: error.code.name, message: error.message) + "\n")
            throw ExitCode(1)
        }
    }
}
