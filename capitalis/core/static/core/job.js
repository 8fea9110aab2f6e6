// A background job's page (core/job.html) follows its progress: it asks the API for the job
// every few seconds, updates the progress bar and its text, and reloads the page once the job
// has finished so that the server shows the outcome. A static file rather than an inline
// script (Content-Security-Policy); without JavaScript the page refreshes itself (noscript).
(function () {
  "use strict";
  const box = document.getElementById("job");
  if (!box || box.dataset.status === "done" || box.dataset.status === "failed") {
    return;
  }
  const bar = document.getElementById("job-progress");
  const text = document.getElementById("job-progress-text");
  const delay = Math.max(1, parseInt(box.dataset.refresh || "2", 10)) * 1000;

  function show(job) {
    if (job.total > 0 && bar) {
      bar.max = job.total;
      bar.value = job.done;
      bar.textContent = job.percent + " %";
    }
    if (text && job.progress_text) {
      text.textContent = job.progress_text;
    }
    const status = document.getElementById("job-status");
    if (status && job.status_label) {
      status.textContent = job.status_label;
    }
  }

  function poll() {
    fetch(box.dataset.jobUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (job) {
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
          return;
        }
        show(job);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        window.setTimeout(poll, delay * 2);
      });
  }

  window.setTimeout(poll, delay);
})();
