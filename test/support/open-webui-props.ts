import type { OpenWebUIAppProps } from '../../constructs/open-web-ui-app.js';
import { TEST_CATALOG } from './test-catalog.js';

/** One request's Open WebUI, for the tests of the UI constructs: team-a in engineering, the small test tier. */
export const OPEN_WEBUI_PROPS: OpenWebUIAppProps = {
  name: 'team-a',
  namespace: 'engineering',
  size: TEST_CATALOG.tier('small').ui,
  gatewayUrl: 'http://litellm.default.svc.cluster.local:4000',
  keySecretName: 'team-a-litellm-key',
  keyFingerprint: '0123456789ab',
  models: ['gpt-5'],
  webuiSecretKey: 'w'.repeat(40),
  adminPassword: 'a'.repeat(20),
};
