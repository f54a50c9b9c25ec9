/* The practice block's page script: posts the learner's actions, shows what the server says.
 * It holds no answer and computes no score; every verdict comes from the server. */
function DpsPractice(runtime, element, args) {
  "use strict";
  var host = element.jquery ? element[0] : element;
  var root = host.querySelector(".dps-practice");
  var stage = root.querySelector(".dps-stage");
  var feedback = root.querySelector(".dps-feedback");
  var privacy = root.querySelector(".dps-privacy");
  var hintBox = root.querySelector(".dps-hint-box");
  var restartButton = root.querySelector(".dps-restart");
  var strings = args.strings;
  var revision = args.revision;
  var busy = false;
  var reader = root.querySelector(".dps-read");
  var speech = window.speechSynthesis;

  var language = (args.lang || "vi").toLowerCase().split("-")[0];

  // Reading aloud is offered only when the device has a voice for the practice's language:
  // another voice would mangle Vietnamese text worse than no voice at all. Voices load
  // asynchronously.
  function practiceVoice() {
    var voices = speech ? speech.getVoices() : [];
    for (var i = 0; i < voices.length; i += 1) {
      if ((voices[i].lang || "").toLowerCase().split(/[-_]/)[0] === language) {
        return voices[i];
      }
    }
    return null;
  }

  function offerReading() { reader.hidden = !practiceVoice(); }

  if (speech) {
    offerReading();
    speech.addEventListener("voiceschanged", offerReading);
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function currentScreen() {
    var screen = stage.querySelector(".dps-screen");
    return screen ? screen.getAttribute("data-screen") : "";
  }

  function say(text, tone) {
    feedback.classList.remove("dps-good", "dps-bad");
    if (tone) { feedback.classList.add(tone); }
    feedback.textContent = text || "";
  }

  function showScreen(data) {
    var moved = data.screen !== currentScreen();
    revision = data.revision;
    if (moved) {
      stage.innerHTML = data.html;
      hintBox.hidden = true;
      say("", "");
      var title = stage.querySelector(".dps-screen-title");
      if (title) { title.focus(); }
    }
    if (data.score !== null && data.score !== undefined) {
      var score = root.querySelector(".dps-score");
      score.querySelector(".dps-score-value").textContent = data.score;
      score.hidden = false;
    }
    return moved;
  }

  function showFieldErrors(errors) {
    var first = null;
    stage.querySelectorAll(".dps-field").forEach(function (wrapper) {
      var control = wrapper.querySelector("input, select");
      var message = wrapper.querySelector(".dps-field-error");
      var text = errors[control.name] || "";
      message.textContent = text;
      message.hidden = !text;
      if (text) {
        control.setAttribute("aria-invalid", "true");
        first = first || control;
      } else {
        control.removeAttribute("aria-invalid");
      }
    });
    if (first) { first.focus(); }
  }

  function post(handler, body) {
    if (busy) { return Promise.resolve(null); }
    busy = true;
    root.setAttribute("aria-busy", "true");
    return fetch(runtime.handlerUrl(host, handler), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        return {status: response.status, data: data};
      });
    }).catch(function () {
      say(strings.network, "dps-bad");
      return null;
    }).finally(function () {
      busy = false;
      root.removeAttribute("aria-busy");
    });
  }

  function handleVerdict(reply) {
    if (!reply) { return; }
    var data = reply.data;
    if (reply.status !== 200) {
      if (data.html) { showScreen(data); }
      say(data.error, "dps-bad");
      return;
    }
    privacy.hidden = !data.privacy_warning;
    privacy.textContent = data.privacy_warning || "";
    (data.privacy_fields || []).forEach(function (name) {
      var control = stage.querySelector('[name="' + name + '"]');
      if (control) { control.value = ""; }
    });
    var moved = showScreen(data);
    if (!moved && data.errors) { showFieldErrors(data.errors); }
    var summary = data.feedback;
    if (!summary && data.errors) {
      summary = Object.keys(data.errors).map(function (key) { return data.errors[key]; }).join(" ");
    }
    say(summary, data.correct ? "dps-good" : "dps-bad");
  }

  root.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || !root.contains(target)) { return; }
    if (target.classList.contains("dps-open")) {
      post("submit", {revision: revision, screen: currentScreen(),
                      procedure: target.getAttribute("data-procedure")}).then(handleVerdict);
    } else if (target.classList.contains("dps-action")) {
      post("submit", {revision: revision, screen: currentScreen(),
                      action: target.getAttribute("data-action")}).then(handleVerdict);
    } else if (target.classList.contains("dps-reveal")) {
      var input = stage.querySelector("#" + target.getAttribute("aria-controls"));
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      target.setAttribute("aria-pressed", String(show));
      target.textContent = show ? strings.hide : strings.show;
    } else if (target.classList.contains("dps-hint-button")) {
      post("hint", {revision: revision, screen: currentScreen()}).then(function (reply) {
        if (!reply) { return; }
        if (reply.status !== 200) { handleVerdict(reply); return; }
        revision = reply.data.revision;
        // Shown first, filled a moment later: a live region that appears already filled is
        // not announced by every screen reader.
        var hintText = hintBox.querySelector(".dps-hint-text");
        hintText.textContent = "";
        hintBox.hidden = false;
        setTimeout(function () { hintText.textContent = reply.data.hint; }, 50);
      });
    } else if (target === reader) {
      var utterance = new SpeechSynthesisUtterance(stage.innerText);
      utterance.voice = practiceVoice();
      utterance.lang = utterance.voice.lang;
      speech.cancel();
      speech.speak(utterance);
    } else if (target.classList.contains("dps-restart")) {
      if (target.getAttribute("data-confirm") !== "yes") {
        target.setAttribute("data-confirm", "yes");
        target.textContent = strings.restartConfirm;
        return;
      }
      post("restart", {revision: revision}).then(function (reply) {
        restartButton.removeAttribute("data-confirm");
        restartButton.textContent = strings.restart;
        if (reply && reply.status === 200) {
          privacy.hidden = true;
          showScreen(reply.data);
          say("", "");
        } else {
          handleVerdict(reply);
        }
      });
    }
  });

  root.addEventListener("focusout", function (event) {
    if (event.target === restartButton && restartButton.getAttribute("data-confirm")) {
      restartButton.removeAttribute("data-confirm");
      restartButton.textContent = strings.restart;
    }
  });

  root.addEventListener("submit", function (event) {
    event.preventDefault();
    if (event.target.classList.contains("dps-search")) {
      var query = event.target.querySelector("input").value;
      post("search", {revision: revision, screen: currentScreen(), query: query})
        .then(function (reply) {
          if (!reply) { return; }
          if (reply.status !== 200) { handleVerdict(reply); return; }
          revision = reply.data.revision;
          stage.querySelector(".dps-results").innerHTML = reply.data.html;
        });
      return;
    }
    var values = {};
    event.target.querySelectorAll("input, select").forEach(function (control) {
      values[control.name] = control.value;
    });
    post("submit", {revision: revision, screen: currentScreen(), values: values})
      .then(handleVerdict);
  });

  root.setAttribute("data-ready", "true");
}
