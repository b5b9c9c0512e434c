// Revision ordering for auto-resolution: "did a newer deploy recover?".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// A Cloud Run revision name, "<service>-<NNNNN>-<suffix>" (five or more digits,
// suffix of lowercase letters and digits), e.g. "pdf-renderer-00013-hiv".
struct CloudRunRevision {
  std::string service;
  long long number = 0;
};
std::optional<CloudRunRevision> parse_cloud_run_revision(std::string_view name);

// Whether a recovery on `candidate` may resolve an incident whose failures came
// from `failing` (the incident's revisions):
// - no revision on either side (Kubernetes without pod-template-hash, shippers): yes;
// - both Cloud Run revisions of one service: candidate's number above every failing one;
// - otherwise (hashes, custom names): candidate differs from every failing revision.
bool is_newer_revision(std::string_view candidate, const std::vector<std::string>& failing);

// True only when both parse as Cloud Run revisions of one service and `revision`
// has the lower number. Unordered names (hashes) are never "older".
bool is_older_revision(std::string_view revision, std::string_view than);

}  // namespace faultline
