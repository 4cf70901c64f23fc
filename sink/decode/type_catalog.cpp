// The type catalog: static built-ins plus rows of sql/pgoutput_types.sql.
#include "decode/type_catalog.h"

#include <stdexcept>

#include <simdjson.h>

#include "pgoutput_sql.h"

namespace pgtrail {

namespace {

// Built-in types whose category is not Text (pg_type.dat's OIDs, stable across versions).
constexpr std::pair<TypeOid, JsonKind> kBuiltins[] = {
    {21, JsonKind::Number},     {23, JsonKind::Number},      {20, JsonKind::Number},
    {700, JsonKind::Number},    {701, JsonKind::Number},     {1700, JsonKind::Number},
    {16, JsonKind::Bool},       {1082, JsonKind::Date},      {1114, JsonKind::Timestamp},
    {1184, JsonKind::TimestampTz}, {114, JsonKind::Json},    {3802, JsonKind::Json},
};
// Built-in types rendered as their text that tables use most (the catalog is asked for the rest).
constexpr TypeOid kBuiltinTexts[] = {25, 1043, 1042, 2950, 17, 19, 18, 1083, 1266, 1186, 869, 650};

JsonKind kind_of_row(TypeOid oid, std::string_view typtype, TypeOid element, bool has_attributes,
                     std::string_view json_cast) {
    for (auto [builtin, kind] : kBuiltins)
        if (builtin == oid) return kind;
    if (element != 0) return JsonKind::Array;
    if (typtype == "c" && has_attributes) return JsonKind::Composite;
    if (!json_cast.empty()) {
        // hstore's cast: hstore_to_json in the hstore library.
        bool hstore = json_cast.size() > 15 && json_cast.substr(json_cast.size() - 15) == ":hstore_to_json" &&
                      json_cast.find("hstore") < json_cast.size() - 15;
        return hstore ? JsonKind::Hstore : JsonKind::OtherJsonCast;
    }
    return JsonKind::Text;
}

}  // namespace

TypeCatalog::TypeCatalog() {
    for (auto [oid, kind] : kBuiltins) types_[oid].info = TypeInfo{oid, "", kind, 0, ',', {}};
    for (TypeOid oid : kBuiltinTexts) types_[oid].info = TypeInfo{oid, "", JsonKind::Text, 0, ',', {}};
}

const TypeInfo *TypeCatalog::find(TypeOid oid) const {
    for (int depth = 0; depth < 32; depth++) {  // domains over domains
        auto it = types_.find(oid);
        if (it == types_.end()) return nullptr;
        if (it->second.domain_base == 0) return &it->second.info;
        oid = it->second.domain_base;
    }
    return nullptr;
}

void TypeCatalog::refs(const Entry &entry, std::vector<TypeOid> &out) const {
    if (entry.domain_base) out.push_back(entry.domain_base);
    if (entry.info.element) out.push_back(entry.info.element);
    for (const auto &attr : entry.info.attributes) out.push_back(attr.second);
}

std::vector<TypeOid> TypeCatalog::missing(const std::vector<TypeOid> &oids) const {
    std::vector<TypeOid> out, todo = oids, seen;
    while (!todo.empty()) {
        TypeOid oid = todo.back();
        todo.pop_back();
        bool visited = false;
        for (TypeOid s : seen) visited = visited || s == oid;
        if (visited) continue;
        seen.push_back(oid);
        auto it = types_.find(oid);
        if (it == types_.end())
            out.push_back(oid);
        else
            refs(it->second, todo);
    }
    return out;
}

void TypeCatalog::load_row(std::string_view json) {
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(json);
    Entry entry;
    try {
        simdjson::ondemand::document doc = parser.iterate(padded);
        entry.info.oid = static_cast<TypeOid>(std::uint64_t(doc["oid"]));
        entry.info.name = std::string(std::string_view(doc["name"]));
        std::string typtype{std::string_view(doc["typtype"])};
        entry.domain_base = typtype == "d" ? static_cast<TypeOid>(std::uint64_t(doc["base"])) : 0;
        entry.info.element = static_cast<TypeOid>(std::uint64_t(doc["element"]));
        simdjson::ondemand::value delim = doc["delim"];
        if (!delim.is_null()) {
            std::string_view d = delim.get_string();
            entry.info.delim = d.empty() ? ',' : d[0];
        }
        simdjson::ondemand::value attributes = doc["attributes"];
        if (!attributes.is_null()) {
            for (simdjson::ondemand::array pair : attributes.get_array()) {
                auto it = pair.begin();
                std::string name{std::string_view(*it)};
                ++it;
                entry.info.attributes.emplace_back(std::move(name), static_cast<TypeOid>(std::uint64_t(*it)));
            }
        }
        simdjson::ondemand::value cast = doc["json_cast"];
        std::string json_cast = cast.is_null() ? "" : std::string(std::string_view(cast.get_string()));
        entry.info.kind = kind_of_row(entry.info.oid, typtype, entry.info.element, !entry.info.attributes.empty() || typtype == "c", json_cast);
    } catch (const simdjson::simdjson_error &error) {
        throw std::runtime_error(std::string("a type catalog row is malformed: ") + error.what());
    }
    types_[entry.info.oid] = std::move(entry);
}

void TypeCatalog::mark_unknown(TypeOid oid) {
    types_[oid].info = TypeInfo{oid, "", JsonKind::Text, 0, ',', {}};
}

void TypeCatalog::forget_user_types(const std::vector<TypeOid> &oids) {
    std::vector<TypeOid> todo = oids;
    while (!todo.empty()) {
        TypeOid oid = todo.back();
        todo.pop_back();
        if (oid < kFirstUserOid) continue;
        auto it = types_.find(oid);
        if (it == types_.end()) continue;
        refs(it->second, todo);
        types_.erase(it);
    }
}

std::string bind_oids(std::string_view sql, const std::vector<std::uint32_t> &oids) {
    std::string literal = "'{";
    for (std::size_t i = 0; i < oids.size(); i++) literal += (i ? "," : "") + std::to_string(oids[i]);
    literal += "}'";
    std::string out(sql);
    std::size_t at = out.find(":'oids'");
    if (at == std::string::npos) throw std::logic_error("a catalog query without :'oids'");
    return out.replace(at, 7, literal);
}

std::string TypeCatalog::query(const std::vector<TypeOid> &oids) {
    return bind_oids(sql_files::kPgoutputTypesSql, oids);
}

}  // namespace pgtrail
