// Exercises the generated client against a live server: signs in, reads its profile, the regions and
// the calendar. Run by .ci/run; a contract change that breaks these calls fails `tsc` or this script.
//
//   ORMAS_URL=http://127.0.0.1:8080 ORMAS_USERNAME=admin.64 ORMAS_PASSWORD=… node dist/smoke.js
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";
import { postWithRetry } from "./idempotent.js";

type Region = components["schemas"]["Region"];
// File responses are generated as `Blob` (`format: binary`), never `number[]`: this fails `tsc`
// otherwise.
type DocumentFile =
  paths["/v1/documents/{id}/content"]["get"]["responses"][200]["content"]["application/pdf"];
const fileIsBlob: DocumentFile extends Blob ? (Blob extends DocumentFile ? true : false) : false = true;

const baseUrl = process.env.ORMAS_URL ?? "http://127.0.0.1:8080";
const username = process.env.ORMAS_USERNAME ?? "superadmin";
const password = process.env.ORMAS_PASSWORD ?? "ormas-demo-2026";

function check(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new Error(`smoke check failed: ${message}`);
  }
}

async function main(): Promise<void> {
  const client = createClient<paths>({ baseUrl });

  const login = await client.POST("/v1/auth/login", { body: { username, password } });
  check(login.data, `login answered ${login.response.status}: ${JSON.stringify(login.error)}`);
  const tokens = login.data;
  check(tokens.token_type === "Bearer", "token type");
  const auth = { headers: { Authorization: `Bearer ${tokens.access_token}` } };

  const me = await client.GET("/v1/me", auth);
  check(me.data, `me answered ${me.response.status}`);
  check(me.data.username.toLowerCase() === username.toLowerCase(), "me is the signed-in account");
  console.log(`signed in as ${me.data.username} (${me.data.role}, ${me.data.region_code ?? "nation"})`);

  const provinces = await client.GET("/v1/regions", { params: { query: { level: "province" } } });
  check(provinces.data, `regions answered ${provinces.response.status}`);
  const items: Region[] = provinces.data.items;
  check(items.length === 38, `38 provinces, got ${items.length}`);
  check(provinces.data.next_page_token === null, "one page");

  const city = await client.GET("/v1/regions/{code}", { params: { path: { code: "64.71" } } });
  check(city.data?.name === "Kota Balikpapan", "Kota Balikpapan");
  check(city.data.ancestors[0]?.code === "64", "its province");

  const missing = await client.GET("/v1/regions/{code}", { params: { path: { code: "99.99" } } });
  check(missing.response.status === 404, "unknown region is 404");
  check(missing.error?.code === "not_found", "as a problem document");

  const due = await client.POST("/v1/calendar/due-date", { body: { from: "2026-03-16", working_days: 15 } });
  check(due.data?.due_on === "2026-04-14", `deadline across Nyepi and Idul Fitri, got ${due.data?.due_on}`);

  const holidays = await client.GET("/v1/calendar/holidays", { params: { query: { year: 2026 } } });
  check((holidays.data?.items.length ?? 0) > 10, "2026 holidays");

  const refreshed = await client.POST("/v1/auth/refresh", { body: { refresh_token: tokens.refresh_token } });
  check(refreshed.data, `refresh answered ${refreshed.response.status}`);
  const logout = await client.POST("/v1/auth/logout", {
    headers: { Authorization: `Bearer ${refreshed.data.access_token}` },
  });
  check(logout.response.status === 204, "logout");

  // The register: an officer of Kota Balikpapan creates a draft and reads it back.
  const officer = await client.POST("/v1/auth/login", {
    body: { username: process.env.ORMAS_OFFICER ?? "officer.6471", password },
  });
  check(officer.data, `officer login answered ${officer.response.status}`);
  const asOfficer = { headers: { Authorization: `Bearer ${officer.data.access_token}` } };
  const draft: components["schemas"]["CreateOrmas"] = {
    name: `Smoke Test Ormas ${Date.now()}`,
    kind: "tidak_berbadan_hukum",
    skt_number: `SMOKE-${Date.now()}`,
    skt_issued_on: "2024-01-15",
    skt_issuer: "Kementerian Dalam Negeri",
    fields: ["sosial"],
    region_code: "64.71",
    address: "Jl. Jenderal Sudirman No. 1, Balikpapan",
  };
  // Created with an Idempotency-Key, through a retry: the first attempt reaches the server but its
  // answer is "lost" (thrown away, as a dropped connection would); the retry with the same key
  // replays the server's first answer instead of creating a second draft.
  const created = await postWithRetry(async (key, attempt) => {
    const answer = await client.POST("/v1/ormas", {
      ...asOfficer,
      params: { header: { "Idempotency-Key": key } },
      body: draft,
    });
    if (attempt === 1) {
      throw new Error("simulated lost response");
    }
    return answer;
  });
  check(created.data, `create ormas answered ${created.response.status}: ${JSON.stringify(created.error)}`);
  check(created.attempts === 2 && created.replayed, `the retry replays (attempts ${created.attempts}, replayed ${created.replayed})`);
  check(created.response.status === 201, `the replay is the first 201, got ${created.response.status}`);
  check(created.response.headers.get("location") === `/v1/ormas/${created.data.id}`, "Location of the draft");
  const ormas: components["schemas"]["Ormas"] = created.data;
  check(ormas.state === "draft" && ormas.organisation.skt_expires_on === "2029-01-15", "a draft with its SKT expiry");
  const read = await client.GET("/v1/ormas/{id}", { ...asOfficer, params: { path: { id: ormas.id } } });
  check(read.data?.organisation.name === draft.name, "the draft reads back");
  check(read.data.missing_documents.length > 0 && !read.data.board_complete, "incomplete until board and documents");
  const etag = read.response.headers.get("etag");
  check(etag !== null, "an ETag on the GET");
  const again = await client.GET("/v1/ormas/{id}", {
    params: { path: { id: ormas.id }, header: { "If-None-Match": etag } },
    headers: asOfficer.headers,
  });
  check(again.response.status === 304, `an unchanged registration is 304, got ${again.response.status}`);

  // A document: uploaded as a Blob in a form, downloaded as a Blob.
  const pdf = new TextEncoder().encode("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
  const uploaded = await client.POST("/v1/ormas/{id}/documents", {
    ...asOfficer,
    params: { path: { id: ormas.id } },
    body: { type: "cover_letter", file: new Blob([pdf], { type: "application/pdf" }) },
    bodySerializer(body) {
      const form = new FormData();
      form.append("type", body.type);
      form.append("file", body.file, "surat.pdf");
      return form;
    },
  });
  check(uploaded.data, `upload answered ${uploaded.response.status}: ${JSON.stringify(uploaded.error)}`);
  const download = await client.GET("/v1/documents/{id}/content", {
    ...asOfficer,
    params: { path: { id: uploaded.data.id } },
    parseAs: "blob",
  });
  check(download.data, `download answered ${download.response.status}`);
  const file: DocumentFile = download.data;
  check(fileIsBlob && file.size === pdf.length && file.type === "application/pdf", "the same PDF back, as a Blob");

  // An action without a body (a plain POST): the submit refuses the incomplete draft with 422, not 415.
  const submit = await client.POST("/v1/ormas/{id}/submit", { ...asOfficer, params: { path: { id: ormas.id } } });
  check(submit.response.status === 422, `a bodiless submit reaches the rule, got ${submit.response.status}`);

  // The board is part of the registration: replacing it needs If-Match with the version read.
  const boardPath = { path: { id: ormas.id } };
  const boardRead = await client.GET("/v1/ormas/{id}/board", { ...asOfficer, params: boardPath });
  const boardTag = boardRead.response.headers.get("etag");
  check(boardRead.data && boardTag !== null, "the board answers an ETag");
  const members: components["schemas"]["BoardInput"] = {
    members: [
      { position: "ketua", name: "Budi Santoso", nik: "6471011203850001" },
      { position: "sekretaris", name: "Siti Aminah", nik: "6471014506900002" },
      { position: "bendahara", name: "Andi Wijaya", nik: "6471012001880003" },
    ],
  };
  // The typed client cannot leave the required header out; a plain fetch can: 428.
  const unconditional = await fetch(`${baseUrl}/v1/ormas/${ormas.id}/board`, {
    method: "PUT",
    headers: { ...asOfficer.headers, "Content-Type": "application/json" },
    body: JSON.stringify(members),
  });
  check(unconditional.status === 428, `a board PUT without If-Match is 428, got ${unconditional.status}`);
  const replaced = await client.PUT("/v1/ormas/{id}/board", {
    ...asOfficer,
    params: { ...boardPath, header: { "If-Match": boardTag } },
    body: members,
  });
  check(replaced.data?.complete === true, `board PUT answered ${replaced.response.status}`);
  const staleBoard = await client.PUT("/v1/ormas/{id}/board", {
    ...asOfficer,
    params: { ...boardPath, header: { "If-Match": boardTag } },
    body: members,
  });
  check(staleBoard.response.status === 412, `a stale board PUT is 412, got ${staleBoard.response.status}`);

  // The identity hijack of issue 10 §1: a self-registered representative files a draft in another
  // province with the same SKT number, then tries to rename the organisation through it.
  const repName = `smoke.rep.${Date.now()}`;
  const signup = await client.POST("/v1/auth/register", {
    body: { username: repName, password: "smoke-rep-password-2026", display_name: "Smoke Rep" },
  });
  check(signup.response.status === 201, `self-registration answered ${signup.response.status}`);
  const repLogin = await client.POST("/v1/auth/login", {
    body: { username: repName, password: "smoke-rep-password-2026" },
  });
  check(repLogin.data, `representative login answered ${repLogin.response.status}`);
  const asRep = { headers: { Authorization: `Bearer ${repLogin.data.access_token}` } };
  const linked = await client.POST("/v1/ormas", {
    ...asRep,
    body: { ...draft, name: "Nama Pembajak", region_code: "62.71", address: "Jl. Lain 1, Palangka Raya" },
  });
  check(linked.data, `the representative's draft answered ${linked.response.status}: ${JSON.stringify(linked.error)}`);
  check(linked.data.organisation.id === ormas.organisation.id, "the same SKT links to the same organisation");
  check(linked.data.organisation.name === draft.name && linked.data.branch_name === "Nama Pembajak",
    "the draft does not rename it; its own name is its branch name");
  const withoutIfMatch = await client.PATCH("/v1/ormas/{id}", {
    ...asRep,
    params: { path: { id: linked.data.id } },
    body: { name: "Nama Pembajak" },
  } as never);
  check(withoutIfMatch.response.status === 428, `a PATCH without If-Match is 428, got ${withoutIfMatch.response.status}`);
  const linkedTag = linked.response.headers.get("etag") ?? "*";
  const hijack = await client.PATCH("/v1/ormas/{id}", {
    ...asRep,
    params: { path: { id: linked.data.id }, header: { "If-Match": linkedTag } },
    body: { name: "Nama Pembajak" },
  });
  check(hijack.response.status === 409 && hijack.error?.code === "identity_read_only",
    `renaming a shared organisation is 409 identity_read_only, got ${hijack.response.status}`);
  const victim = await client.GET("/v1/ormas/{id}", { ...asOfficer, params: { path: { id: ormas.id } } });
  check(victim.data?.organisation.name === draft.name, "the officer's registration keeps its name");
  // The retried creation made one draft: the officer's region lists its name once.
  const drafts = await client.GET("/v1/ormas", {
    ...asOfficer,
    params: { query: { q: draft.name, region: "64.71" } },
  });
  check(drafts.data, `list answered ${drafts.response.status}`);
  check(drafts.data.items.length === 1, `one draft despite the retry, got ${drafts.data.items.length}`);

  // Oversight (issue 12): a member of the public files a complaint without an account and follows it
  // by its tracking code, which answers the state and dates only.
  const complaint = await client.POST("/v1/public/complaints", {
    body: {
      region_code: "64.71",
      organisation_name: "Laskar Uji Asap",
      organisation_address: "Jl. Mulawarman No. 5, Balikpapan",
      category: "public_order",
      description: "Penutupan jalan setiap malam minggu.",
      reporter_contact: "0812 0000 0000",
    },
  });
  check(complaint.data, `public complaint answered ${complaint.response.status}: ${JSON.stringify(complaint.error)}`);
  const code = complaint.data.tracking_code;
  check(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/.test(code), `a tracking code, got ${code}`);
  const tracked = await client.GET("/v1/public/complaints/{tracking_code}", {
    params: { path: { tracking_code: code.toLowerCase() } },
  });
  check(tracked.data?.state === "received", `the complaint is received, got ${tracked.response.status}`);
  check(!JSON.stringify(tracked.data).includes("0812"), "the tracking answer never shows the reporter");

  console.log("typescript client: 32 checks passed against", baseUrl);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
