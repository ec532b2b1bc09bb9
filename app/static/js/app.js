// Progressive enhancements: timestamps, live badges and task progress, user popups, translation,
// likes and reposts in place.
(function () {
  'use strict';

  const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || '';
  const locale = document.documentElement.lang || 'en';
  const POLL_INTERVAL_MS = 10000;
  const POPUP_DELAY_MS = 600;

  // Render Flask-Moment's timestamp placeholders in the page language.
  function renderTimestamps(root) {
    if (typeof moment === 'undefined') return;
    moment.locale(locale === 'zh' ? 'zh-cn' : locale);
    root.querySelectorAll('.flask-moment').forEach(function (elem) {
      const timestamp = moment(elem.dataset.timestamp);
      const format = elem.dataset.format;
      const func = elem.dataset.function;
      elem.textContent = format ? timestamp[func](format) : timestamp[func]();
      elem.classList.remove('flask-moment');
      elem.style.display = '';
    });
  }

  function setBadge(id, count) {
    const badge = document.getElementById(id);
    if (!badge) return;
    badge.textContent = count > 99 ? '99+' : count;
    badge.hidden = !count;
  }

  function setTaskProgress(taskId, progress, failed) {
    const label = document.getElementById(taskId + '-progress');
    if (!label) return;
    label.textContent = progress;
    const alert = label.closest('.task-progress');
    if (!alert) return;
    if (failed) {
      alert.classList.replace('alert-success', 'alert-danger');
      alert.textContent = alert.dataset.failedText;
    } else if (progress >= 100) {
      alert.textContent = alert.dataset.doneText;
    }
  }

  // Poll /notifications for new unread counts and task progress.
  function startPolling(url) {
    let since = 0;
    async function poll() {
      try {
        const response = await fetch(url + '?since=' + since, {headers: {Accept: 'application/json'}});
        if (!response.ok) return;
        const notifications = await response.json();
        notifications.forEach(function (n) {
          if (n.name === 'unread_message_count') setBadge('message_count', n.data);
          else if (n.name === 'unread_activity_count') setBadge('activity_count', n.data);
          else if (n.name === 'task_progress') setTaskProgress(n.data.task_id, n.data.progress, n.data.failed);
          since = n.timestamp;
        });
      } catch (error) {
        // The network is down for a moment: try again on the next tick.
      }
    }
    poll();
    setInterval(poll, POLL_INTERVAL_MS);
  }

  // Show a popover with the user's card after hovering an author link.
  function setupUserPopups() {
    if (typeof bootstrap === 'undefined') return;
    document.querySelectorAll('.user_popup').forEach(function (link) {
      let timer = null;
      let popover = null;
      link.addEventListener('mouseenter', function () {
        timer = setTimeout(async function () {
          timer = null;
          try {
            const response = await fetch(link.dataset.popupUrl);
            if (!response.ok) return;
            const html = await response.text();
            const content = document.createElement('div');
            content.innerHTML = html;  // server-rendered and escaped fragment
            renderTimestamps(content);
            if (popover) popover.dispose();
            popover = new bootstrap.Popover(link, {
              trigger: 'manual', html: true, sanitize: false, content: content, placement: 'right',
              container: link.parentElement, customClass: 'user-popup'
            });
            popover.show();
          } catch (error) { /* leave the plain link */ }
        }, POPUP_DELAY_MS);
      });
      link.parentElement.addEventListener('mouseleave', function () {
        if (timer) { clearTimeout(timer); timer = null; }
        if (popover) { popover.dispose(); popover = null; }
      });
    });
  }

  // Replace a "Translate" link with a spinner, then with the translated text.
  function setupTranslation() {
    document.addEventListener('click', async function (event) {
      const link = event.target.closest('.translate-link');
      if (!link) return;
      event.preventDefault();
      const holder = link.parentElement;
      const body = document.getElementById('post' + link.dataset.postId);
      const spinner = document.createElement('span');
      spinner.className = 'spinner-border spinner-border-sm';
      spinner.setAttribute('role', 'status');
      if (link.dataset.translatingText) spinner.setAttribute('aria-label', link.dataset.translatingText);
      holder.replaceChildren(spinner);
      try {
        const response = await fetch(link.dataset.translateUrl, {
          method: 'POST',
          headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken, Accept: 'application/json'},
          body: JSON.stringify({
            post_id: Number(link.dataset.postId), text: body.textContent,
            source_language: link.dataset.source, dest_language: link.dataset.dest
          })
        });
        const data = await response.json();
        // Inserted as text, never HTML: the translation comes from a third party.
        holder.textContent = response.ok ? data.text : data.message;
        if (!response.ok) holder.classList.add('text-danger');
      } catch (error) {
        holder.textContent = link.dataset.errorText || 'Error: could not contact the server.';
        holder.classList.add('text-danger');
      }
    });
  }

  // Like, unlike, repost and unrepost without leaving the page; the forms work without this too.
  function setupReactions() {
    document.addEventListener('submit', async function (event) {
      const form = event.target.closest('form.reactions');
      const button = event.submitter;
      if (!form || !button || !button.dataset.kind) return;  // Delete goes through as a normal form
      event.preventDefault();
      const kind = button.dataset.kind;
      button.disabled = true;
      try {
        const response = await fetch(button.formAction, {
          method: 'POST', body: new FormData(form),
          headers: {'X-CSRFToken': csrfToken, Accept: 'application/json'}
        });
        if (!response.ok) { window.location.reload(); return; }
        const state = await response.json();
        const on = kind === 'like' ? state.liked : state.reposted;
        const count = kind === 'like' ? state.likes_count : state.reposts_count;
        // Every card of this post on the page (a post and its repost) shows the new state.
        document.querySelectorAll('form.reactions[data-url="' + form.dataset.url + '"]').forEach(function (card) {
          const toggle = card.querySelector('button[data-kind="' + kind + '"]');
          toggle.formAction = form.dataset.url + '/' + (on ? 'un' : '') + kind;
          toggle.setAttribute('aria-pressed', on ? 'true' : 'false');
          toggle.querySelector('.reaction-count').textContent = count;
        });
      } catch (error) {
        window.location.reload();
      } finally {
        button.disabled = false;
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    renderTimestamps(document);
    const url = document.body.dataset.notificationsUrl;
    if (url) startPolling(url);
    setupUserPopups();
    setupTranslation();
    setupReactions();
  });
})();
