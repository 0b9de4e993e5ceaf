//! Web accounts as use cases: the one-time set-up link while no account
//! exists, invitations with a role, signing in (argon2id passwords),
//! server-side sessions with their form token, signing out everywhere, and
//! which teams a signed-in person may see and change.
//!
//! Secrets handed to a browser (set-up and invitation links, session
//! cookies) are 160 random bits; only their hashes are stored, so a copy of
//! the database signs nobody in.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use asyncmm_core::account::{Role, User};
use asyncmm_core::{Team, TeamName, Token};
use asyncmm_store::NewInvite;
use time::Duration;

use crate::{App, AppError, Random};

/// How long a set-up link or an invitation stays valid.
pub const INVITE_LIFETIME: Duration = Duration::days(7);
/// How long a session lasts without signing in again.
pub const SESSION_LIFETIME: Duration = Duration::days(14);
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 12;
/// Longest password accepted (hashing cost must stay bounded).
pub const MAX_PASSWORD: usize = 1024;
/// Longest account name.
pub const MAX_NAME: usize = 100;

/// A session just started: the secret for the browser's cookie, the form
/// token, and who signed in.
#[derive(Debug)]
pub struct SessionStart {
    pub secret: Token,
    pub csrf: String,
    pub user: User,
}

/// A signed-in person, as a session cookie names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user: User,
    /// The token every form of this session must carry.
    pub csrf: String,
}

fn draw(random: &mut dyn Random) -> Result<Token, AppError> {
    let mut bytes = [0u8; Token::BYTES];
    random.fill(&mut bytes)?;
    Ok(Token::from_random_bytes(bytes))
}

/// argon2id with the OWASP-recommended minimum (19 MiB, 2 passes).
fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| AppError::Conflict(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_password(password: &str, random: &mut dyn Random) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    random.fill(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Conflict(e.to_string()))?;
    Ok(hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AppError::Conflict(format!("could not hash the password: {e}")))?
        .to_string())
}

fn password_matches(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    hasher().is_ok_and(|h| h.verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A name as accounts keep it: trimmed, 1–100 characters, no control
/// characters.
pub fn parse_name(text: &str) -> Result<String, AppError> {
    let name = text.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "a name is needed"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(AppError::invalid("name", format!("at most {MAX_NAME} characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid("name", "control characters are not allowed"));
    }
    Ok(name.to_string())
}

fn check_password(password: &str, repeated: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(AppError::invalid(
            "password",
            format!("at least {MIN_PASSWORD} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD {
        return Err(AppError::invalid("password", format!("at most {MAX_PASSWORD} bytes")));
    }
    if password != repeated {
        return Err(AppError::invalid("password", "the two passwords differ"));
    }
    Ok(())
}

fn invalid_invite() -> AppError {
    AppError::not_found("this invitation (it was used, has expired or never existed)")
}

fn not_yours() -> AppError {
    AppError::Forbidden("this team is not one of yours".to_string())
}

impl App<'_> {
    /// No account exists yet: the site needs its first admin.
    pub async fn setup_needed(&self) -> Result<bool, AppError> {
        Ok(self.store.user_count().await? == 0)
    }

    /// A new set-up link's secret while no account exists (the first admin
    /// is made with it); `None` once someone has an account.
    pub async fn setup_link(&self, random: &mut dyn Random) -> Result<Option<Token>, AppError> {
        if self.store.user_count().await? > 0 {
            return Ok(None);
        }
        self.new_invite(Role::Admin, random).await.map(Some)
    }

    async fn new_invite(&self, role: Role, random: &mut dyn Random) -> Result<Token, AppError> {
        let token = draw(random)?;
        self.store
            .create_invite(&NewInvite {
                hash: token.hash(),
                role,
                created_at: self.now,
                expires_at: self.now + INVITE_LIFETIME,
            })
            .await?;
        Ok(token)
    }

    /// An invitation to create an account with `role`; admins only.
    pub async fn invite(&self, by: &User, role: Role, random: &mut dyn Random) -> Result<Token, AppError> {
        if by.role != Role::Admin {
            return Err(AppError::Forbidden("only admins invite people".to_string()));
        }
        self.new_invite(role, random).await
    }

    /// The role an invitation link grants, if it can still be used.
    pub async fn invitation_role(&self, secret: &str) -> Result<Role, AppError> {
        let token = Token::parse(secret).map_err(|_| invalid_invite())?;
        self.store
            .invite_role(&token.hash(), self.now)
            .await?
            .ok_or_else(invalid_invite)
    }

    /// Creates the invited account (using up the link) and signs it in.
    pub async fn accept_invite(
        &self,
        secret: &str,
        name: &str,
        password: &str,
        repeated: &str,
        random: &mut dyn Random,
    ) -> Result<SessionStart, AppError> {
        let token = Token::parse(secret).map_err(|_| invalid_invite())?;
        let name = parse_name(name)?;
        check_password(password, repeated)?;
        let hash = hash_password(password, random)?;
        let user = self.store.accept_invite(&token.hash(), &name, &hash, self.now).await?;
        self.start_session(user, random).await
    }

    async fn start_session(&self, user: User, random: &mut dyn Random) -> Result<SessionStart, AppError> {
        let secret = draw(random)?;
        let csrf = draw(random)?.reveal();
        self.store
            .create_session(&secret.hash(), user.id, &csrf, self.now, self.now + SESSION_LIFETIME)
            .await?;
        Ok(SessionStart { secret, csrf, user })
    }

    /// Signs in with name and password. The refusal is the same whether
    /// the name is unknown or the password wrong, and takes as long.
    pub async fn sign_in(&self, name: &str, password: &str, random: &mut dyn Random) -> Result<SessionStart, AppError> {
        let refused = || AppError::Unauthorized("the name or the password is not right".to_string());
        if password.len() > MAX_PASSWORD {
            return Err(refused());
        }
        match self.store.user_for_login(name.trim()).await? {
            Some((user, stored)) if password_matches(password, &stored) => self.start_session(user, random).await,
            Some(_) => Err(refused()),
            None => {
                // Spend the time a real check takes, so timing says nothing.
                let _ = hash_password(password, random);
                Err(refused())
            }
        }
    }

    /// The person a session cookie belongs to, if the session is valid.
    pub async fn signed_in(&self, secret: &str) -> Result<Option<SignedIn>, AppError> {
        let Ok(token) = Token::parse(secret) else {
            return Ok(None);
        };
        Ok(self
            .store
            .session(&token.hash(), self.now)
            .await?
            .map(|(user, csrf)| SignedIn { user, csrf }))
    }

    /// Ends this browser's session.
    pub async fn sign_out(&self, secret: &str) -> Result<(), AppError> {
        if let Ok(token) = Token::parse(secret) {
            self.store.delete_session(&token.hash()).await?;
        }
        Ok(())
    }

    /// Ends every session of the person, on every device.
    pub async fn sign_out_everywhere(&self, user: &User) -> Result<u64, AppError> {
        Ok(self.store.delete_sessions_of(user.id).await?)
    }

    /// Every account (admins only).
    pub async fn accounts(&self, by: &User) -> Result<Vec<User>, AppError> {
        if by.role != Role::Admin {
            return Err(AppError::Forbidden("only admins see the accounts".to_string()));
        }
        Ok(self.store.users().await?)
    }

    /// The organisation's teams this person may see: every team for admins
    /// and viewers, the teams a lead leads and the teams inside them.
    pub async fn visible_teams(&self, user: &User, include_archived: bool) -> Result<Vec<Team>, AppError> {
        let teams = self.store.teams_in_org(include_archived).await?;
        if user.role.sees_all_teams() {
            return Ok(teams);
        }
        let led = self.store.teams_led_by(user.id).await?;
        let all = self.store.teams_in_org(true).await?;
        let by_id: std::collections::HashMap<_, _> = all.iter().map(|t| (t.id, t)).collect();
        let is_visible = |team: &Team| {
            let mut cursor = Some(team);
            let mut steps = 0;
            while let Some(t) = cursor {
                if led.contains(&t.id) {
                    return true;
                }
                steps += 1;
                if steps > all.len() {
                    return false;
                }
                cursor = t.parent.and_then(|p| by_id.get(&p).copied());
            }
            false
        };
        Ok(teams.into_iter().filter(|t| is_visible(t)).collect())
    }

    /// A team this person may see, by name; another team is refused just
    /// like one that does not exist for them.
    pub async fn team_for(&self, user: &User, name: &str) -> Result<Team, AppError> {
        let team = self.org_team(name).await.map_err(|_| not_yours())?;
        let visible = self.visible_teams(user, true).await?;
        if visible.iter().any(|t| t.id == team.id) {
            Ok(team)
        } else {
            Err(not_yours())
        }
    }

    /// A team this person may change.
    pub async fn team_to_change(&self, user: &User, name: &str) -> Result<Team, AppError> {
        if !user.role.can_write() {
            return Err(AppError::Forbidden(
                "viewers read results; they change nothing".to_string(),
            ));
        }
        self.team_for(user, name).await
    }

    /// Adds a team as this person: a lead adds teams at the top or inside
    /// a team they lead, and leads the new team.
    pub async fn add_team_as(&self, user: &User, name: &str, parent: Option<&str>) -> Result<Team, AppError> {
        if !user.role.can_write() {
            return Err(AppError::Forbidden(
                "viewers read results; they change nothing".to_string(),
            ));
        }
        if let Some(parent) = parent {
            self.team_to_change(user, parent).await?;
        }
        let team = self.add_team(name, parent).await?;
        if user.role == Role::Lead {
            self.store.add_team_lead(team.id, user.id).await?;
        }
        Ok(team)
    }

    /// The team a round belongs to, if this person may see it.
    pub async fn round_team_for(&self, user: &User, round: i64) -> Result<TeamName, AppError> {
        let round = self.round(round).await?;
        self.team_for(user, round.team.as_str()).await.map(|t| t.name)
    }
}
