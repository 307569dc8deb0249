// libFuzzer entry point for every fuzz target; Scripts/fuzz.sh builds and runs it.
// The target is chosen by the SIMBEE_JWT_FUZZ_TARGET environment variable (see Fuzz/README.md).
import Dispatch
import SimbeeJWTFuzzChecks

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private let target: FuzzTarget = {
    let name = getenv("SIMBEE_JWT_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        fatalError("set SIMBEE_JWT_FUZZ_TARGET to one of: \(names)")
    }
    return target
}()

/// Carries the outcome of an asynchronous check back to the fuzzer's thread.
private final class Outcome: @unchecked Sendable {
    // @unchecked Sendable: written by the task before it signals, read after the wait.
    var violation: PropertyViolation?
}

/// libFuzzer's callback: runs the selected target's checks on one input and traps (a crash
/// libFuzzer records, with the input) when a property does not hold.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let violation: PropertyViolation?
    if target.isAsynchronous {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        // `Task.immediate` starts on this thread: the fixture key set never suspends, so a whole
        // verification usually completes here without waiting for a pool thread.
        Task.immediate {
            do throws(PropertyViolation) {
                _ = try await target.check(input)
            } catch {
                outcome.violation = error
            }
            done.signal()
        }
        done.wait()
        violation = outcome.violation
    } else {
        do {
            _ = try target.checkSynchronously(input)
            violation = nil
        } catch {
            violation = error
        }
    }
    if let violation { fatalError("\(target.rawValue): property violated: \(violation)") }
    return 0
}
