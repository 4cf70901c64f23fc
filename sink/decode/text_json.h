// Text values (as the source's output functions print them, with DateStyle=ISO) turned into
// the JSON that to_jsonb() renders for them, type by type (docs/FORMAT.md's table): apart
// from reading the protocol, and unit-tested value by value against a real server's to_jsonb.
// Pure C++.
#pragma once

#include <string>
#include <string_view>

#include "decode/type_catalog.h"

namespace pgtrail {

class TextToJson {
public:
    explicit TextToJson(const TypeCatalog &types) : types_(types) {}

    /// Appends to_jsonb's rendering of a value of this type whose text output is text.
    /// A type the catalog does not know is rendered as its text. Throws DecodeError when the
    /// text of an array, composite or hstore does not parse.
    void append(std::string &out, std::string_view text, TypeOid type) const;
    /// True when append renders a value of this type as its text in a JSON string (text, bytea,
    /// uuid, ... and types the catalog does not know), so that any piece of it converts alone.
    bool renders_as_string(TypeOid type) const;

private:
    void append_kind(std::string &out, std::string_view text, const TypeInfo &info) const;
    void append_array(std::string &out, std::string_view text, const TypeInfo &info) const;
    void append_composite(std::string &out, std::string_view text, const TypeInfo &info) const;

    const TypeCatalog &types_;
};

/// True when text is a JSON number (what to_jsonb checks before embedding a number's text).
bool is_json_number(std::string_view text);

/// An ISO DateStyle date/timestamp/timestamptz text in to_jsonb's form (XSD: 'T', +HH:MM).
void append_iso_datetime(std::string &out, std::string_view text, JsonKind kind);

}  // namespace pgtrail
