#include "parsers/json_record.h"

#include "parsers/flat_record.h"
#include "parsers/log_entry.h"

namespace faultline {

bool record_from_object(const Json& value, const RecordContext& context, LogRecord& out,
                        FieldError& error, std::optional<FieldError>& warning) {
  if (!value.is_object()) {
    error = FieldError{"", std::string("expected a JSON object, got ") + json_type_name(value)};
    return false;
  }
  if (is_log_entry(value)) return log_entry_to_record(value, context, out, error, warning);
  return flat_record_to_record(value, context, out, error, warning);
}

}  // namespace faultline
