/** The login page's script: posts the form as JSON and goes to the console when the session cookie is set. */

const form = document.getElementById('login-form') as HTMLFormElement | null;
const message = document.getElementById('login-message');

form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const button = form.querySelector('button');
  if (button) button.disabled = true;
  try {
    const response = await fetch('/console/api/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ user: String(data.get('user') ?? ''), password: String(data.get('password') ?? '') }),
    });
    if (response.ok) {
      window.location.assign('/console/');
      return;
    }
    const answer = (await response.json().catch(() => ({}))) as { message?: string };
    if (message) message.textContent = answer.message ?? `Login failed (HTTP ${response.status})`;
  } catch {
    if (message) message.textContent = 'The console did not answer; try again.';
  } finally {
    if (button) button.disabled = false;
  }
});
