"""GraphiQL served by the gateway itself (no CDN), with example queries per provider.

The assets in `static/graphiql/` are the upstream npm builds (see their LICENSE
files and scripts/vendor-graphiql.sh); the page and `start.js` are ours. A strict
Content-Security-Policy keeps the page to its own origin.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Final

from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

STATIC_DIR: Final = Path(__file__).parent / "static" / "graphiql"
STATIC_PATH: Final = "/graphiql/static"
CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)

EXAMPLES: Final[list[dict[str, str]]] = [
    {
        "title": "Spark contacts",
        "query": """# Spark CRM contacts, with expansions folded into the same upstream request
query SparkContacts {
  contacts(provider: SPARK, first: 10, filter: {displayName: "Neder*"}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      displayName
      emails { address kind }
      phones { kind e164 }
      ... on SparkContact { tags recordStatus notes { text } vowActive }
    }
  }
}
""",
    },
    {
        "title": "Create a Spark contact",
        "query": """mutation CreateSparkContact {
  createContact(input: {provider: SPARK, displayName: "Ada Lovelace",
    emails: [{address: "ada@example.org"}], spark: {tags: ["Buyer"]}}) {
    contact { id displayName }
    userErrors { field code message providerCode }
  }
}
""",
    },
    {
        "title": "AutoDNS domain contacts",
        "query": """# AutoDNS handles: filters pushed into one _search; lastStid traces the call
query DomainContacts {
  contacts(provider: AUTODNS, first: 10, filter: {autodns: {type: ORG, country: "DE"}}) {
    totalCount
    nodes {
      id
      displayName
      phones { kind e164 raw }
      addresses { streetLines postalCode locality country }
      ... on DomainContact { alias type protection verification lastStid }
    }
  }
}
""",
    },
    {
        "title": "IS24 realtor contacts",
        "query": """# ImmobilienScout24 realtor contacts, phones in E.164 with their parts
query RealtorContacts {
  contacts(provider: IS24, first: 10) {
    totalCount
    nodes {
      id
      displayName
      phones { kind e164 countryCode areaCode subscriber }
      ... on RealtorContact { externalId showOnProfilePage defaultContact }
    }
  }
}
""",
    },
    {
        "title": "All providers",
        "query": """# One list over every provider, newest first; failures are reported apart
query AllContacts {
  contacts(first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id provider displayName updatedAt freshness { servedFrom stale } }
  }
}
""",
    },
    {
        "title": "Providers",
        "query": """query Providers {
  providers { name sandbox health { status } capabilities { operations expansions } }
}
""",
    },
]


def graphiql_page() -> HTMLResponse:
    examples = html.escape(json.dumps(EXAMPLES), quote=False)
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>contact-gateway · GraphiQL</title>
<link rel="stylesheet" href="{STATIC_PATH}/graphiql.min.css">
<link rel="stylesheet" href="{STATIC_PATH}/page.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script id="examples" type="application/json">{examples}</script>
<script src="{STATIC_PATH}/react.production.min.js"></script>
<script src="{STATIC_PATH}/react-dom.production.min.js"></script>
<script src="{STATIC_PATH}/graphiql.min.js"></script>
<script src="{STATIC_PATH}/start.js"></script>
</body>
</html>
"""
    return HTMLResponse(page, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC_DIR)
