#pragma once

#include <string>

namespace vsd::cli {

// The words ipvsadm prints for an error the kernel returned (libipvs's ipvs_strerror()): first a
// message for that operation and errno ("Service already exists" for add-service/EEXIST), then
// one for the errno alone (EINVAL, EPERM, ENOMEM, ...), else strerror(). `op` is the api::op
// name of the call that failed.
std::string error_text(const std::string& op, int code);

}  // namespace vsd::cli
