// FanoutObserver: the pipeline takes one observer; this one passes every call on
// to several (metrics, the store, alerts), in the order given. Every observer
// sees on_batch_end even when an earlier one threw; the first exception is then
// rethrown, so a failure still fails the pipeline call.
#pragma once

#include <exception>
#include <vector>

#include "incidents/pipeline.h"

namespace faultline {

class FanoutObserver final : public PipelineObserver {
 public:
  explicit FanoutObserver(std::vector<PipelineObserver*> observers) : observers_(std::move(observers)) {}

  void on_event(const Event& event) override {
    for (PipelineObserver* o : observers_) o->on_event(event);
  }
  void on_change(const IncidentChange& change, const Incident* incident) override {
    for (PipelineObserver* o : observers_) o->on_change(change, incident);
  }
  void on_batch_end() override {
    std::exception_ptr first;
    for (PipelineObserver* o : observers_) {
      try {
        o->on_batch_end();
      } catch (...) {
        if (!first) first = std::current_exception();
      }
    }
    if (first) std::rethrow_exception(first);
  }

 private:
  std::vector<PipelineObserver*> observers_;
};

}  // namespace faultline
