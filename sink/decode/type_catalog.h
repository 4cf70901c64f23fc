// What the pgoutput decoder knows of the source's types: how to_jsonb renders each (its
// jsonb_categorize_type category), with the element type and delimiter of arrays and the
// attributes of composites. A few built-in types are known statically; every other type is
// loaded from the source's catalog (sql/pgoutput_types.sql) and cached by OID. Pure C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pgtrail {

using TypeOid = std::uint32_t;

/// How to_jsonb renders a value (after looking through domains).
enum class JsonKind {
    Number,       ///< int2..numeric: a JSON number; NaN and infinities as strings
    Bool,
    Date,         ///< strings in to_jsonb's ISO form
    Timestamp,
    TimestampTz,
    Json,         ///< json, jsonb: embedded
    Array,        ///< nested JSON arrays of the element type's rendering
    Composite,    ///< an object of the attributes
    Hstore,       ///< contrib hstore: its cast to json, an object of strings
    OtherJsonCast,///< another type with a cast to json: not reproducible here (rendered as its text)
    Text,         ///< everything else: the text output as a string
};

struct TypeInfo {
    TypeOid oid = 0;
    std::string name;              ///< format_type's, for messages
    JsonKind kind = JsonKind::Text;
    TypeOid element = 0;           ///< Array: the element type
    char delim = ',';              ///< Array: the element type's typdelim
    std::vector<std::pair<std::string, TypeOid>> attributes;  ///< Composite: live attributes in order
};

class TypeCatalog {
public:
    TypeCatalog();

    /// The type, with domains resolved to their base type's rendering; nullptr when not loaded.
    const TypeInfo *find(TypeOid oid) const;
    /// Of these types and of those they refer to (elements, attributes, domain bases), the ones not loaded yet.
    std::vector<TypeOid> missing(const std::vector<TypeOid> &oids) const;
    /// Loads one row of sql/pgoutput_types.sql's result. Throws std::runtime_error when malformed.
    void load_row(std::string_view json);
    /// Marks a type the catalog did not return (dropped since): rendered as its text.
    void mark_unknown(TypeOid oid);
    /// Forgets user-defined types among these and all they refer to, so they are loaded again.
    void forget_user_types(const std::vector<TypeOid> &oids);

    /// sql/pgoutput_types.sql for these OIDs.
    static std::string query(const std::vector<TypeOid> &oids);

private:
    struct Entry {
        TypeInfo info;
        TypeOid domain_base = 0;   ///< a domain: rendered as this type
    };
    void refs(const Entry &entry, std::vector<TypeOid> &out) const;
    std::unordered_map<TypeOid, Entry> types_;
};

/// First OID of user-defined objects (FirstNormalObjectId): lower OIDs never change.
inline constexpr TypeOid kFirstUserOid = 16384;

/// Replaces psql's :'oids' in a query with an oid[] literal.
std::string bind_oids(std::string_view sql, const std::vector<std::uint32_t> &oids);

}  // namespace pgtrail
