//! One-time links for contacts: invitations (7 days), sign-in links (15 minutes) and password
//! resets (1 hour). Each token is 256 bits from the OS RNG, mailed once and stored only as a
//! SHA-256; it works once (the redeeming `UPDATE … WHERE used_at IS NULL` lets exactly one
//! request through), and a newer link of the same kind voids the older ones.
use minijinja::context;

use crate::db::{now, Day, Db, ScopedTx};
use crate::email::Mailroom;
use crate::error::Result;
use crate::tenancy::tokens::{hash_token, new_token};
use crate::tenancy::Tenant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Invite,
    SignIn,
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Invite => "invite",
            Purpose::SignIn => "sign_in",
            Purpose::Reset => "reset",
        }
    }

    pub fn lifetime_secs(self) -> i64 {
        match self {
            Purpose::Invite => 7 * 24 * 3600,
            Purpose::SignIn => 15 * 60,
            Purpose::Reset => 3600,
        }
    }

    /// The portal path the mailed link opens: `/portal/{segment}/{token}`.
    pub fn segment(self) -> &'static str {
        match self {
            Purpose::Invite => "welcome",
            Purpose::SignIn => "link",
            Purpose::Reset => "reset",
        }
    }
}

/// What a presented token turns out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenState {
    /// Good for one use by this contact.
    Valid(LinkHolder),
    Expired,
    Used,
    /// Withdrawn by staff, or replaced by a newer link.
    Revoked,
    /// Never issued here (forged, mistyped, another workspace's), or the account is closed.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct LinkHolder {
    pub contact_id: i64,
    pub name: String,
    pub email: String,
    pub client_name: String,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    contact_id: i64,
    name: String,
    email: String,
    client_name: String,
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
    usable_account: bool,
}

/// The SQL condition for a contact who may get in — active, of an active client, access not
/// expired — with `today` the placeholder bound to [`Day::today`]. Contacts `c`, clients `cl`.
pub fn usable_contact(today: &str) -> String {
    format!("c.active AND cl.active AND (c.access_expires_on IS NULL OR c.access_expires_on >= {today})")
}

/// Looks at a token without using it up (to show the right page).
pub async fn inspect(
    db: &Db,
    workspace_id: i64,
    purpose: Purpose,
    token: &str,
) -> Result<TokenState> {
    if !well_formed(token) {
        return Ok(TokenState::Unknown);
    }
    let sql = format!(
        "SELECT t.contact_id, c.name, c.email, cl.name AS client_name, t.expires_at, t.used_at, t.revoked_at, \
         ({}) AS usable_account \
         FROM contact_tokens t JOIN contacts c ON c.id = t.contact_id AND c.workspace_id = t.workspace_id \
         JOIN clients cl ON cl.id = c.client_id \
         WHERE t.token_hash = $1 AND t.workspace_id = $2 AND t.purpose = $3",
        usable_contact("$4")
    );
    let row: Option<TokenRow> = db
        .query_as(&sql)
        .bind(hash_token(token))
        .bind(workspace_id)
        .bind(purpose.as_str())
        .bind(Day::today())
        .fetch_optional()
        .await?;
    let Some(row) = row else {
        return Ok(TokenState::Unknown);
    };
    Ok(if !row.usable_account {
        TokenState::Unknown
    } else if row.used_at.is_some() {
        TokenState::Used
    } else if row.revoked_at.is_some() {
        TokenState::Revoked
    } else if row.expires_at <= now() {
        TokenState::Expired
    } else {
        TokenState::Valid(LinkHolder {
            contact_id: row.contact_id,
            name: row.name,
            email: row.email,
            client_name: row.client_name,
        })
    })
}

/// Uses up a token that [`inspect`] found valid for `holder`: exactly one caller gets
/// `Valid`, every other sees why not. The update itself re-checks all that can change after
/// the look (used, revoked, expired, account closed), so the look costs no second query.
pub async fn redeem(
    db: &Db,
    workspace_id: i64,
    purpose: Purpose,
    token: &str,
    holder: LinkHolder,
) -> Result<TokenState> {
    let at = now();
    let sql = format!(
        "UPDATE contact_tokens SET used_at = $1 WHERE token_hash = $2 AND workspace_id = $3 \
         AND purpose = $4 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1 \
         AND contact_id IN (SELECT c.id FROM contacts c JOIN clients cl ON cl.id = c.client_id WHERE {})",
        usable_contact("$5")
    );
    let won = db
        .query(&sql)
        .bind(at)
        .bind(hash_token(token))
        .bind(workspace_id)
        .bind(purpose.as_str())
        .bind(Day::today())
        .execute()
        .await?
        == 1;
    if won {
        Ok(TokenState::Valid(holder))
    } else {
        // Someone else redeemed or revoked it between the look and the use.
        inspect(db, workspace_id, purpose, token).await
    }
}

fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A new link of `purpose` for the contact, in `tx`, voiding their earlier unused ones of the
/// same kind: the token to put in the link (only its hash is stored) and when it expires.
pub async fn issue(
    tx: &mut ScopedTx,
    workspace_id: i64,
    contact_id: i64,
    purpose: Purpose,
    created_by: Option<i64>,
) -> Result<(String, i64)> {
    let (token, hash) = new_token();
    let at = now();
    let expires = at + purpose.lifetime_secs();
    let void =
        "UPDATE contact_tokens SET revoked_at = $1 WHERE contact_id = $2 AND workspace_id = $3 \
                AND purpose = $4 AND used_at IS NULL AND revoked_at IS NULL";
    let insert = "INSERT INTO contact_tokens (token_hash, workspace_id, contact_id, purpose, created_at, expires_at, created_by) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7)";
    tx.query(void)
        .bind(at)
        .bind(contact_id)
        .bind(workspace_id)
        .bind(purpose.as_str())
        .execute()
        .await?;
    tx.query(insert)
        .bind(&hash)
        .bind(workspace_id)
        .bind(contact_id)
        .bind(purpose.as_str())
        .bind(at)
        .bind(expires)
        .bind(created_by)
        .execute()
        .await?;
    Ok((token, expires))
}

/// Issues a link for `contact_id` and mails it — in one transaction, so there is never a
/// link without its email or an email without its link.
async fn issue_and_mail(
    db: &Db,
    mailroom: &Mailroom,
    tenant: &Tenant,
    purpose: Purpose,
    holder: &LinkHolder,
    created_by: Option<i64>,
    (subject, page): (String, minijinja::Value),
) -> Result<()> {
    let mut tx = ScopedTx::begin_unscoped_write(db).await?;
    let (token, expires) = issue(
        &mut tx,
        tenant.workspace.id,
        holder.contact_id,
        purpose,
        created_by,
    )
    .await?;
    let link = format!(
        "{}/portal/{}/{token}",
        mailroom.site(&tenant.workspace.slug),
        purpose.segment()
    );
    let email = mailroom.compose(
        tenant,
        purpose.as_str(),
        &holder.email,
        subject,
        context! {
            link => link,
            name => holder.name,
            email => holder.email,
            client => holder.client_name,
            expires => crate::db::iso_date(
                time::OffsetDateTime::from_unix_timestamp(expires)
                    .map(|t| t.date())
                    .unwrap_or(crate::clock::today())
            ),
            minutes => purpose.lifetime_secs() / 60,
            ..page
        },
    )?;
    email.queue(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The contact a link may be sent to, by id (staff invitations).
pub async fn holder_by_id(
    db: &Db,
    workspace_id: i64,
    contact_id: i64,
) -> Result<Option<LinkHolder>> {
    let sql = "SELECT c.id AS contact_id, c.name, c.email, cl.name AS client_name FROM contacts c \
               JOIN clients cl ON cl.id = c.client_id AND cl.workspace_id = c.workspace_id \
               WHERE c.id = $1 AND c.workspace_id = $2";
    db.query_as(sql)
        .bind(contact_id)
        .bind(workspace_id)
        .fetch_optional()
        .await
}

/// The contact who may sign in with this email, if any (sign-in links and resets).
pub async fn holder_by_email(
    db: &Db,
    workspace_id: i64,
    email: &str,
) -> Result<Option<LinkHolder>> {
    // Only a contact who has joined — accepted an invitation, or holds a password — is sent a
    // sign-in or reset link: one never invited, or whose invitation was withdrawn before they
    // accepted it, has no way in until staff invite them (again).
    let sql = format!(
        "SELECT c.id AS contact_id, c.name, c.email, cl.name AS client_name FROM contacts c \
         JOIN clients cl ON cl.id = c.client_id AND cl.workspace_id = c.workspace_id \
         WHERE c.workspace_id = $1 AND c.email = $2 AND {} AND (c.password_hash IS NOT NULL OR EXISTS \
         (SELECT 1 FROM contact_tokens t WHERE t.contact_id = c.id AND t.purpose = 'invite' AND t.used_at IS NOT NULL))",
        usable_contact("$3")
    );
    db.query_as(&sql)
        .bind(workspace_id)
        .bind(email)
        .bind(Day::today())
        .fetch_optional()
        .await
}

/// Invites a contact (or invites them again: the earlier link stops working).
pub async fn send_invitation(
    db: &Db,
    mailroom: &Mailroom,
    tenant: &Tenant,
    holder: &LinkHolder,
    inviter_id: i64,
    inviter_name: &str,
) -> Result<()> {
    let subject = format!(
        "{inviter_name} invited you to your {} portal",
        tenant.workspace.name
    );
    let page = context! { inviter => inviter_name };
    issue_and_mail(
        db,
        mailroom,
        tenant,
        Purpose::Invite,
        holder,
        Some(inviter_id),
        (subject, page),
    )
    .await
}

pub async fn send_sign_in_link(
    db: &Db,
    mailroom: &Mailroom,
    tenant: &Tenant,
    holder: &LinkHolder,
) -> Result<()> {
    let subject = format!("Your sign-in link for {}", tenant.workspace.name);
    issue_and_mail(
        db,
        mailroom,
        tenant,
        Purpose::SignIn,
        holder,
        None,
        (subject, context! {}),
    )
    .await
}

pub async fn send_reset_link(
    db: &Db,
    mailroom: &Mailroom,
    tenant: &Tenant,
    holder: &LinkHolder,
) -> Result<()> {
    let subject = format!("Reset your {} portal password", tenant.workspace.name);
    issue_and_mail(
        db,
        mailroom,
        tenant,
        Purpose::Reset,
        holder,
        None,
        (subject, context! {}),
    )
    .await
}

/// Withdraws a contact's pending invitation. Returns whether there was one.
pub async fn revoke_invitation(db: &Db, workspace_id: i64, contact_id: i64) -> Result<bool> {
    let sql = "UPDATE contact_tokens SET revoked_at = $1 WHERE contact_id = $2 AND workspace_id = $3 \
               AND purpose = 'invite' AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1";
    let n = db
        .query(sql)
        .bind(now())
        .bind(contact_id)
        .bind(workspace_id)
        .execute()
        .await?;
    Ok(n > 0)
}
