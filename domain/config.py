"""Settings, read from the environment (prefix SHEGONG_) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

Mode = Literal["demo", "test", "production"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHEGONG_", env_file=".env", extra="ignore")

    mode: Mode = "demo"
    data_dir: Path = PROJECT_ROOT / "var"
    # Empty means the embedded default: a SQLite file under data_dir.
    database_url: str = ""
    secret_key: str = "change-me-in-production"
    host: str = "127.0.0.1"
    port: int = 8000
    # Web app processes (uvicorn workers): one per core of the 2-core machines the benchmark targets.
    web_workers: int = Field(default=2, ge=1, le=64)
    prefect_port: int = 4200
    # Prefect's own database: empty means SQLite under data_dir/prefect.
    prefect_database_url: str = ""
    sweep_interval_seconds: int = 60

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'shegong.db'}"

    @property
    def simulated_clock_allowed(self) -> bool:
        """The simulated clock exists only for rehearsal: never in production."""
        return self.mode in ("demo", "test")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
