/* The portal's recorder (issue 17): record from the microphone into a form's file field, so the
   form posts the recording as it would a chosen file. Without it (or without a microphone) the
   file field alone works. */
(function () {
  "use strict";

  function setUp(box) {
    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    var controls = box.querySelector(".recorder-controls");
    var record = box.querySelector("[data-record]");
    var stop = box.querySelector("[data-stop]");
    var status = box.querySelector("[data-status]");
    var preview = box.querySelector("[data-preview]");
    var input = box.querySelector("input[type=file]");
    var recorder = null, chunks = [], stream = null;
    controls.hidden = false;

    record.addEventListener("click", function () {
      // Raw sound: rtp/dsp trims and normalizes it as it does a recording by phone.
      navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } }).then(function (s) {
        stream = s;
        chunks = [];
        recorder = new MediaRecorder(stream);
        var started = Date.now();
        recorder.addEventListener("dataavailable", function (e) {
          if (e.data.size) chunks.push(e.data);
          box.dataset.recordedMs = String(Date.now() - started);  // how long so far (tests wait on it)
        });
        recorder.addEventListener("stop", function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          var type = recorder.mimeType || "audio/webm";
          var blob = new Blob(chunks, { type: type });
          var file = new File([blob], "enregistrement." + (type.indexOf("ogg") >= 0 ? "ogg" : "webm"), { type: type });
          var transfer = new DataTransfer();
          transfer.items.add(file);
          input.files = transfer.files;
          preview.src = URL.createObjectURL(blob);
          preview.hidden = false;
          status.textContent = status.dataset.done;
          box.dataset.recorded = "1";
          record.disabled = false;
          stop.disabled = true;
        });
        recorder.start(250);
        status.textContent = status.dataset.recording;
        record.disabled = true;
        stop.disabled = false;
      }, function () {
        status.textContent = status.dataset.denied;
      });
    });
    stop.addEventListener("click", function () { if (recorder && recorder.state !== "inactive") recorder.stop(); });
  }

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }
  ready(function () { document.querySelectorAll("[data-recorder]").forEach(setUp); });
})();
