/* Signup form (README.md beside this file). The HTML form works without this script: it posts
   and the endpoint redirects to the thank-you page. When this script runs it checks the answers
   first, with messages in the page's language (read from data- attributes the template renders
   from the UI strings), then sends with fetch, without leaving the page, so a failure never costs
   the person what they typed. No inline code anywhere, so a strict Content-Security-Policy holds. */
(function () {
  'use strict';

  var form = document.querySelector('form[data-module="signup-form"]');
  if (!form || !window.fetch || !window.AbortController || !window.URLSearchParams || !window.FormData) {
    return; // the plain HTML form is left to do its job
  }

  var root = form.closest('.signup-form');
  var summary = root.querySelector('[data-signup-summary]');
  var summaryList = summary.querySelector('ul');
  var failure = root.querySelector('[data-signup-failure]');
  var failureReason = failure.querySelector('[data-signup-reason]');
  var success = root.querySelector('[data-signup-success]');
  var status = form.querySelector('[data-signup-status]');
  var button = form.querySelector('.signup-form__submit');
  var messages = form.dataset;
  var timeoutMs = parseInt(messages.timeoutMs, 10) || 15000;
  var draftKey = 'signup-draft:' + location.pathname;
  var pageTitle = document.title;
  var sending = false;

  // Our checks, in the page's language, replace the browser's (which speak the browser's).
  form.noValidate = true;

  // --- Checking the answers ----------------------------------------------------------------

  function isGroup(field) {
    return field.tagName === 'FIELDSET';
  }

  // The element a summary link moves focus to.
  function focusTarget(field) {
    return isGroup(field) ? (field.querySelector('input:checked') || field.querySelector('input')) : field;
  }

  function problemWith(field) {
    if (isGroup(field)) {
      return field.querySelector('input:checked') ? '' : field.dataset.errorRequired;
    }
    if (field.type === 'checkbox') {
      return field.checked ? '' : field.dataset.errorRequired;
    }
    if (!field.value.trim()) {
      return field.required ? field.dataset.errorRequired : '';
    }
    // The same rules the browser applies without this script: the pattern attribute (phone)
    // and the input type (e-mail).
    if (field.validity.patternMismatch || field.validity.typeMismatch) {
      return field.dataset.errorFormat;
    }
    return '';
  }

  function describedBy(field, id, add) {
    var ids = (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (add) {
      ids.push(id); // after the hint, so the hint is read first
    }
    if (ids.length) {
      field.setAttribute('aria-describedby', ids.join(' '));
    } else {
      field.removeAttribute('aria-describedby');
    }
  }

  function showProblem(field, message) {
    var id = field.id + '-error';
    var existing = document.getElementById(id);
    var group = field.closest('.signup-form__group');
    if (existing) {
      existing.remove();
    }
    describedBy(field, id, Boolean(message));
    group.classList.toggle('signup-form__group--error', Boolean(message));
    if (!isGroup(field)) {
      if (message) {
        field.setAttribute('aria-invalid', 'true');
      } else {
        field.removeAttribute('aria-invalid');
      }
    }
    if (!message) {
      return;
    }
    var text = document.createElement('p');
    var prefix = document.createElement('span');
    text.className = 'signup-form__error';
    text.id = id;
    prefix.className = 'signup-form__visually-hidden';
    prefix.textContent = messages.msgErrorPrefix + ' ';
    text.appendChild(prefix);
    text.appendChild(document.createTextNode(message));
    // Above the field (below its label and hint), where the eye and the screen reader meet it.
    var before = isGroup(field) ? field.querySelector('.signup-form__choice')
      : field.type === 'checkbox' ? field.closest('.signup-form__choice') : field;
    before.parentNode.insertBefore(text, before);
  }

  function check() {
    var problems = [];
    form.querySelectorAll('[data-error-required], [data-error-format]').forEach(function (field) {
      var message = problemWith(field);
      showProblem(field, message);
      if (message) {
        problems.push({ field: field, message: message });
      }
    });
    return problems;
  }

  function showSummary(problems) {
    summaryList.textContent = '';
    problems.forEach(function (problem) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = '#' + focusTarget(problem.field).id;
      link.textContent = problem.message;
      item.appendChild(link);
      summaryList.appendChild(item);
    });
    summary.hidden = problems.length === 0;
    document.title = problems.length ? messages.msgErrorPrefix + ' ' + pageTitle : pageTitle;
    if (problems.length) {
      summary.focus();
    }
  }

  // A summary link focuses its field and shows the field's label or question with it.
  summary.addEventListener('click', function (event) {
    var link = event.target.closest('a');
    var target = link && document.getElementById(link.hash.slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    target.closest('.signup-form__group').scrollIntoView();
    target.focus({ preventScroll: true });
  });

  // --- A draft, for this tab only ------------------------------------------------------------
  // sessionStorage ends with the tab and is cleared once the details are sent; never
  // localStorage or cookies, which would outlive the visit on a shared computer.

  function draftFields() {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && field.name.charAt(0) !== '_' && /^(text|tel|email|radio|textarea)$/.test(field.type);
    });
  }

  function saveDraft() {
    var draft = {};
    draftFields().forEach(function (field) {
      if (field.type !== 'radio') {
        draft[field.name] = field.value;
      } else if (field.checked) {
        draft[field.name] = field.value;
      }
    });
    try {
      sessionStorage.setItem(draftKey, JSON.stringify(draft));
    } catch (error) { /* storage switched off or full: the form still works */ }
  }

  function restoreDraft() {
    var draft;
    try {
      draft = JSON.parse(sessionStorage.getItem(draftKey) || 'null');
    } catch (error) {
      return;
    }
    if (!draft) {
      return;
    }
    draftFields().forEach(function (field) {
      if (!Object.prototype.hasOwnProperty.call(draft, field.name)) {
        return;
      }
      if (field.type === 'radio') {
        field.checked = field.value === draft[field.name];
      } else if (!field.value) {
        field.value = draft[field.name];
      }
    });
  }

  function clearDraft() {
    try {
      sessionStorage.removeItem(draftKey);
    } catch (error) { /* nothing was kept */ }
  }

  // --- Sending -------------------------------------------------------------------------------

  function setSending(on, label) {
    sending = on;
    // aria-disabled rather than disabled: a disabled button drops keyboard focus to the top of
    // the page; `sending` makes every further click or Enter do nothing until the answer comes.
    if (on) {
      button.setAttribute('aria-disabled', 'true');
    } else {
      button.removeAttribute('aria-disabled');
    }
    button.textContent = label;
    status.textContent = on ? messages.msgSending : '';
  }

  function sent() {
    sending = false;
    clearDraft();
    form.hidden = true;
    summary.hidden = true;
    success.hidden = false;
    success.focus();
  }

  function notSent(reason) {
    // Nothing in the form is touched: every answer stays where the person typed it.
    setSending(false, button.dataset.labelRetry);
    failureReason.textContent = messages[reason];
    failure.hidden = false;
    failure.focus();
  }

  function send() {
    var controller = new AbortController();
    var timedOut = false;
    var timer = setTimeout(function () {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    failure.hidden = true;
    setSending(true, button.dataset.labelSending);
    fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      // Formspree-style services answer JSON instead of redirecting when asked to.
      headers: { Accept: 'application/json' },
      credentials: 'omit',
      // An endpoint that redirects anyway has accepted the post, as it would a plain one.
      redirect: 'manual',
      signal: controller.signal
    }).then(function (response) {
      clearTimeout(timer);
      if (response.ok || response.type === 'opaqueredirect') {
        sent();
      } else {
        notSent(response.status >= 500 ? 'msgServer' : 'msgRejected');
      }
    }, function () {
      clearTimeout(timer);
      notSent(timedOut ? 'msgTimeout' : 'msgNetwork');
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (sending) {
      return; // one click, one submission
    }
    var problems = check();
    showSummary(problems);
    if (problems.length) {
      failure.hidden = true;
      return;
    }
    send();
  });

  restoreDraft();
  form.addEventListener('input', saveDraft);
  form.addEventListener('change', saveDraft);
}());
