#include "decode/value_redaction.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdexcept>

#include "column_policy.h"

namespace pgtrail {

void ValueRedactor::append(std::string &out, std::string_view value_json) const {
    if (key_.empty()) {
        out += kRedactedJson;
        return;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char *>(value_json.data()),
              value_json.size(), digest, &len))
        throw std::runtime_error("could not compute the HMAC of a redacted value");
    out += hmac_marker_json(digest, len);
}

}  // namespace pgtrail
