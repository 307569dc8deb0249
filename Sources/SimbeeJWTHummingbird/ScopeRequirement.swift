/// The scopes a route needs: all of a list, or any one of it.
///
/// Scopes are compared byte for byte with the token's scopes (`scope`, `scopes` and `scp` claims).
///
/// ```swift
/// router.group("orders").add(middleware: RequireScopes(.all(["orders:read", "orders:write"])))
/// router.group("admin").add(middleware: RequireScopes(.any(["admin", "support"])))
/// ```
public struct ScopeRequirement: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case all
        case any
    }

    let kind: Kind

    /// The scopes named by the requirement, in the order given, without duplicates. They are also
    /// what a `403` answer lists in its `scope` attribute.
    public let scopes: [String]

    private init(kind: Kind, scopes: [String]) {
        self.kind = kind
        var unique: [String] = []
        for scope in scopes where !unique.contains(where: { Array($0.utf8) == Array(scope.utf8) }) {
            unique.append(scope)
        }
        self.scopes = unique
    }

    /// Requires every one of `scopes`. An empty list requires nothing.
    ///
    /// - Parameter scopes: The scopes the token must all carry.
    /// - Returns: The requirement.
    public static func all(_ scopes: [String]) -> ScopeRequirement {
        ScopeRequirement(kind: .all, scopes: scopes)
    }

    /// Requires at least one of `scopes`. An empty list is never satisfied.
    ///
    /// - Parameter scopes: The scopes of which the token must carry one.
    /// - Returns: The requirement.
    public static func any(_ scopes: [String]) -> ScopeRequirement {
        ScopeRequirement(kind: .any, scopes: scopes)
    }

    /// `all(read write)` or `any(admin support)`, for logs.
    public var description: String {
        let list = scopes.joined(separator: " ")
        switch kind {
        case .all: return "all(\(list))"
        case .any: return "any(\(list))"
        }
    }

    /// Whether a holder of the scopes for which `has` answers `true` meets the requirement.
    func isSatisfied(by has: (String) -> Bool) -> Bool {
        switch kind {
        case .all: return scopes.allSatisfy(has)
        case .any: return scopes.contains(where: has)
        }
    }
}
